from modules import base


class RealEstateConfig(base.ModuleConfig):
    name = "modules.real_estate"
    label = "real_estate"
    verbose_name = "Real estate"
    key = "real_estate"
    icon = "house"
    description = "Properties offered to clients through deals, ratings, viewings and after-viewing feedback."

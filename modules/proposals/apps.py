from modules import base


class ProposalsConfig(base.ModuleConfig):
    name = "modules.proposals"
    label = "proposals"
    verbose_name = "Proposals"
    key = "proposals"
    icon = "file-signature"
    description = "Proposals and quotes your clients can review and accept online."

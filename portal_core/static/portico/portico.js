document.addEventListener("click", (event) => {
  const toggle = event.target.closest("[data-nav-toggle]");
  if (toggle) {
    const nav = document.getElementById(toggle.getAttribute("aria-controls"));
    const open = nav.classList.toggle("open");
    toggle.setAttribute("aria-expanded", String(open));
  }
  const copy = event.target.closest("[data-copy]");
  if (copy) {
    navigator.clipboard.writeText(document.getElementById(copy.dataset.copy).textContent.trim());
    copy.textContent = "Copied";
  }
});

// Live password rules: each rule turns green as the password meets it.
const RULES = {
  length8: (p) => p.length >= 8,
  length12: (p) => p.length >= 12,
  upper: (p) => /[A-Z\u00C0-\u00DE]/.test(p),
  lower: (p) => /[a-z\u00DF-\u00FF]/.test(p),
  digit: (p) => /[0-9]/.test(p),
  special: (p) => /[^A-Za-z0-9]/.test(p),
};
document.addEventListener("input", (event) => {
  const input = event.target;
  if (input.type !== "password" || input.autocomplete !== "new-password") return;
  const list = input.form && input.form.querySelector("[data-password-rules]");
  if (!list) return;
  list.querySelectorAll("[data-rule]").forEach((item) => {
    const check = RULES[item.dataset.rule];
    item.classList.toggle("met", Boolean(check && check(input.value)));
  });
});

// Welcome slides: "Next" walks through them; on the last one it becomes "Get started".
document.addEventListener("click", (event) => {
  const next = event.target.closest("[data-slide-next]");
  if (!next) return;
  const slides = [...document.querySelectorAll("[data-slide]")];
  const current = slides.findIndex((slide) => !slide.hidden);
  if (current < slides.length - 1) {
    slides[current].hidden = true;
    slides[current + 1].hidden = false;
    const progress = document.querySelector("[data-slides-progress]");
    if (progress) progress.textContent = `${current + 2} / ${slides.length}`;
    if (current + 1 === slides.length - 1) {
      next.textContent = next.dataset.lastLabel;
      document.querySelector("[data-slides-skip]")?.setAttribute("hidden", "");
    }
  } else {
    document.querySelector("[data-slides-done]").click();
  }
});

// Guided tour of the home page: highlights each step's element in turn.
(function tour() {
  const overlay = document.querySelector("[data-tour-overlay]");
  const data = document.getElementById("tour-steps");
  if (!overlay || !data) return;
  const steps = JSON.parse(data.textContent).filter((s) => document.querySelector(`[data-tour="${s.target}"]`));
  if (!steps.length) return;
  let index = 0;
  const show = () => {
    document.querySelectorAll(".tour-highlight").forEach((el) => el.classList.remove("tour-highlight"));
    const step = steps[index];
    let target = document.querySelector(`[data-tour="${step.target}"]`);
    if (!target.getClientRects().length) target = document.querySelector("[data-nav-toggle]") || target;  // in a closed phone menu
    target.classList.add("tour-highlight");
    target.scrollIntoView({ block: "center", behavior: "smooth" });
    overlay.querySelector("[data-tour-title]").textContent = step.title;
    overlay.querySelector("[data-tour-text]").textContent = step.text;
    overlay.querySelector("[data-tour-progress]").textContent = `${index + 1} / ${steps.length}`;
    const next = overlay.querySelector("[data-tour-next]");
    if (index === steps.length - 1) next.textContent = overlay.querySelector("[data-tour-finish]").textContent;
  };
  overlay.hidden = false;
  overlay.querySelector("[data-tour-next]").addEventListener("click", () => {
    if (index < steps.length - 1) {
      index += 1;
      show();
    } else {
      overlay.querySelector("[data-tour-skip]").click();
    }
  });
  show();
})();

// Portico's own script: drawer navigation, toasts, confirmation modals, drop zones, copy buttons.
// No inline handlers anywhere: every behaviour hangs off data- attributes.

const drawer = {
  toggle: () => document.querySelector("[data-nav-toggle]"),
  open(nav) {
    nav.classList.add("open");
    this.toggle()?.setAttribute("aria-expanded", "true");
    document.querySelector(".sidebar-backdrop")?.removeAttribute("hidden");
    nav.querySelector("a, button")?.focus();
  },
  close(nav) {
    nav.classList.remove("open");
    const toggle = this.toggle();
    toggle?.setAttribute("aria-expanded", "false");
    document.querySelector(".sidebar-backdrop")?.setAttribute("hidden", "");
  },
};

document.addEventListener("click", (event) => {
  const toggle = event.target.closest("[data-nav-toggle]");
  if (toggle) {
    const nav = document.getElementById(toggle.getAttribute("aria-controls"));
    if (nav.hasAttribute("data-drawer")) {
      nav.classList.contains("open") ? drawer.close(nav) : drawer.open(nav);
    } else {
      const open = nav.classList.toggle("open");
      toggle.setAttribute("aria-expanded", String(open));
    }
  }
  const close = event.target.closest("[data-nav-close]");
  if (close) {
    const nav = document.querySelector("[data-drawer].open");
    if (nav) { drawer.close(nav); drawer.toggle()?.focus(); }
  }
  const copy = event.target.closest("[data-copy]");
  if (copy) {
    navigator.clipboard.writeText(document.getElementById(copy.dataset.copy).textContent.trim());
    copy.textContent = copy.dataset.copiedLabel || "Copied";
    toast(copy.dataset.copiedLabel || "Copied");
  }
  const dismiss = event.target.closest("[data-toast-close]");
  if (dismiss) leave(dismiss.closest(".toast"));
});
document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  const nav = document.querySelector("[data-drawer].open");
  if (nav) { drawer.close(nav); drawer.toggle()?.focus(); }
});

// Toasts: the page's success messages, and any an htmx answer sends (HX-Trigger: {"toast": …}).
function leave(item) {
  if (!item || item.classList.contains("is-leaving")) return;
  item.classList.add("is-leaving");
  setTimeout(() => item.remove(), 220);
}
function schedule(item) {
  let timer = setTimeout(() => leave(item), 6000);
  item.addEventListener("mouseenter", () => clearTimeout(timer));
  item.addEventListener("focusin", () => clearTimeout(timer));
  item.addEventListener("mouseleave", () => { timer = setTimeout(() => leave(item), 3000); });
}
function toast(text, level = "success") {
  const list = document.querySelector("[data-toasts]");
  if (!list || !text) return;
  const item = document.createElement("div");
  item.className = `toast toast--${level}`;
  item.setAttribute("role", "status");
  const span = document.createElement("span");
  span.className = "toast__text";
  span.textContent = text;
  const button = document.createElement("button");
  button.type = "button";
  button.className = "toast__close";
  button.dataset.toastClose = "";
  button.setAttribute("aria-label", list.dataset.closeLabel || "Dismiss");
  button.textContent = "×";
  item.append(span, button);
  list.append(item);
  schedule(item);
}
window.porticoToast = toast;
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-toasts] .toast").forEach(schedule);
  document.querySelectorAll("input[type=file]").forEach(dropzone);
});
document.addEventListener("toast", (event) => toast(event.detail.value ?? event.detail.text, event.detail.level));

// Confirmation modals: a form (or a button in one) with data-confirm="Question?" asks first.
// data-confirm-ok names the confirming button ("Delete"), data-confirm-danger makes it red.
let confirmed = null;
document.addEventListener("submit", (event) => {
  const form = event.target;
  const asker = event.submitter?.closest("[data-confirm]") || (form.hasAttribute("data-confirm") ? form : null);
  if (!asker || confirmed === form) { confirmed = null; return; }
  const dialog = document.getElementById("confirm-dialog");
  if (!dialog || typeof dialog.showModal !== "function") return;
  event.preventDefault();
  event.stopImmediatePropagation();
  dialog.querySelector("[data-confirm-title]").textContent = asker.dataset.confirm;
  dialog.querySelector("[data-confirm-text]").textContent = asker.dataset.confirmText || "";
  const ok = dialog.querySelector("[data-confirm-ok]");
  ok.textContent = asker.dataset.confirmOk || ok.dataset.defaultLabel || (ok.dataset.defaultLabel = ok.textContent);
  ok.classList.toggle("btn--danger", asker.hasAttribute("data-confirm-danger"));
  const submitter = event.submitter;
  dialog.returnValue = "";
  dialog.addEventListener("close", function once() {
    dialog.removeEventListener("close", once);
    if (dialog.returnValue !== "ok") { submitter?.focus(); return; }
    confirmed = form;
    if (form.hasAttribute("hx-post") || form.hasAttribute("hx-put") || form.hasAttribute("hx-delete")) {
      window.htmx?.trigger(form, "submit");
      confirmed = null;
    } else {
      form.requestSubmit(submitter || undefined);
    }
  });
  dialog.showModal();
  ok.focus();
}, true);

// Drop zones: a file input becomes a zone that takes dropped files and names what was chosen.
function humanSize(bytes) {
  const units = ["B", "KB", "MB", "GB"];
  let size = bytes, unit = 0;
  while (size >= 1024 && unit < units.length - 1) { size /= 1024; unit += 1; }
  return `${size.toFixed(unit && size < 10 ? 1 : 0)} ${units[unit]}`;
}
function dropzone(input) {
  if (input.closest(".dropzone") || input.hasAttribute("data-no-dropzone")) return;
  const zone = document.createElement("label");
  zone.className = "dropzone";
  const title = document.createElement("span");
  title.className = "dropzone__title";
  title.textContent = input.dataset.dropTitle || document.documentElement.dataset.dropTitle || "Choose a file or drop it here";
  const hint = document.createElement("span");
  hint.className = "dropzone__hint small";
  hint.textContent = input.dataset.dropHint || "";
  const files = document.createElement("ul");
  files.className = "dropzone__files";
  files.setAttribute("aria-live", "polite");
  input.parentNode.insertBefore(zone, input);
  zone.append(title, hint, files);
  zone.append(input);
  const label = input.id && document.querySelector(`label[for="${input.id}"]`);
  if (label && !input.getAttribute("aria-label")) input.setAttribute("aria-label", label.textContent.trim());
  const show = () => {
    files.replaceChildren(...[...input.files].map((file) => {
      const li = document.createElement("li");
      li.textContent = `${file.name} · ${humanSize(file.size)}`;
      return li;
    }));
  };
  input.addEventListener("change", show);
  ["dragenter", "dragover"].forEach((name) => zone.addEventListener(name, (event) => { event.preventDefault(); zone.classList.add("is-over"); }));
  ["dragleave", "drop"].forEach((name) => zone.addEventListener(name, () => zone.classList.remove("is-over")));
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    if (!event.dataTransfer?.files?.length) return;
    input.files = event.dataTransfer.files;
    input.dispatchEvent(new Event("change", { bubbles: true }));
  });
}
document.addEventListener("htmx:afterSwap", (event) => event.target.querySelectorAll?.("input[type=file]").forEach(dropzone));

// Forms keep what was typed; a field's error goes as soon as it is valid again.
document.addEventListener("input", (event) => {
  const field = event.target.closest(".field, .field--check");
  if (!field || !field.querySelector(".errorlist")) return;
  if (event.target.checkValidity && event.target.checkValidity() && event.target.value !== "") {
    field.querySelectorAll(".errorlist").forEach((list) => list.remove());
    field.classList.remove("field--error");
    event.target.removeAttribute("aria-invalid");
  }
});

// Buttons show they are working while their htmx request runs.
document.addEventListener("htmx:beforeRequest", (event) => {
  event.target.querySelectorAll?.("button[type=submit], .btn[type=submit]").forEach((b) => { b.classList.add("is-busy"); b.setAttribute("aria-busy", "true"); });
});
document.addEventListener("htmx:afterRequest", (event) => {
  event.target.querySelectorAll?.(".is-busy").forEach((b) => { b.classList.remove("is-busy"); b.removeAttribute("aria-busy"); });
});

// The reader's own time zone, so times name their zone only when it differs from the office's.
try {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (zone && !document.cookie.includes(`portico_tz=${encodeURIComponent(zone)}`)) {
    document.cookie = `portico_tz=${encodeURIComponent(zone)}; path=/; max-age=31536000; samesite=lax`;
  }
  document.querySelectorAll("[data-guess-time-zone]").forEach((select) => {
    if (!select.dataset.chosen && [...select.options].some((o) => o.value === zone)) select.value = zone;
  });
} catch (e) { /* an old browser: times stay in the office's zone */ }

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
    const dots = document.querySelectorAll("[data-slides-progress] span");
    dots.forEach((dot, i) => dot.classList.toggle("is-current", i === current + 1));
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
    target.scrollIntoView({ block: "center" });
    // The card sits at the edge of the screen away from what it points at, never over it.
    const box = target.getBoundingClientRect();
    overlay.classList.toggle("tour--top", box.top + box.height / 2 > window.innerHeight / 2);
    overlay.querySelector("[data-tour-title]").textContent = step.title;
    overlay.querySelector("[data-tour-text]").textContent = step.text;
    const progress = overlay.querySelector("[data-tour-progress]");
    progress.textContent = (progress.dataset.template || "__n__ / __total__").replace("__n__", index + 1).replace("__total__", steps.length);
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

// The style page's sample toast.
document.addEventListener("click", (event) => {
  const demo = event.target.closest("[data-demo-toast]");
  if (demo) toast(demo.dataset.demoToast);
});

// htmx requests carry the page's CSRF token (forms already do; this covers buttons and links).
document.addEventListener("htmx:configRequest", (event) => {
  if (event.detail.headers["X-CSRFToken"]) return;
  const token = document.querySelector("input[name=csrfmiddlewaretoken]");
  if (token) event.detail.headers["X-CSRFToken"] = token.value;
});

// Portal settings: the branding preview follows the form, with readable text on each colour
// (the same rule the server applies to the portal: white when it reaches 4.5:1, else dark ink).
(() => {
  const form = document.getElementById("portal");
  const preview = document.getElementById("brand-preview");
  if (!form || !preview) return;
  const logo = preview.querySelector("[data-preview-logo]");
  const savedLogo = logo.getAttribute("src");
  const colour = /^#[0-9a-fA-F]{6}$/;
  const channel = (c) => { c /= 255; return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
  const luminance = (hex) => {
    const [r, g, b] = [1, 3, 5].map((i) => channel(parseInt(hex.slice(i, i + 2), 16)));
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const contrast = (a, b) => { const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  const textOn = (hex) => (contrast(hex, "#ffffff") >= 4.5 || contrast(hex, "#ffffff") > contrast(hex, "#0f172a") ? "#ffffff" : "#0f172a");
  const update = (input) => {
    if ((input.name === "primary_color" || input.name === "secondary_color") && colour.test(input.value)) {
      const primary = input.name === "primary_color";
      preview.style.setProperty(primary ? "--preview-primary" : "--preview-secondary", input.value);
      preview.style.setProperty(primary ? "--on-brand" : "--on-brand-dark", textOn(input.value));
      const label = form.querySelector(`[data-colour-value="${input.name}"]`);
      if (label) label.textContent = input.value.toUpperCase();
    } else if (input.name === "portal_name") {
      preview.querySelector("[data-preview-name]").textContent = input.value || "Client Portal";
    } else if (input.name === "welcome_message") {
      preview.querySelector("[data-preview-welcome]").textContent = input.value;
    } else if (input.name === "logo") {
      const file = input.files && input.files[0];
      if (file) { logo.src = URL.createObjectURL(file); logo.hidden = false; }
    } else if (input.name === "remove_logo") {
      logo.hidden = input.checked || !savedLogo;
    }
  };
  form.addEventListener("input", (event) => update(event.target));
  form.addEventListener("change", (event) => update(event.target));
})();

// Office pages: selecting contacts in bulk, inserting tokens into email templates, filters that
// apply as they change, the sign-up form's address preview.

// Contacts: "select all" and the count of selected contacts.
(() => {
(() => {
  const form = document.getElementById("bulk-form");
  if (!form) return;
  const all = form.querySelector("[data-select-all]");
  const boxes = () => [...form.querySelectorAll('input[name="contact"]')];
  const count = () => {
    const n = boxes().filter((b) => b.checked).length;
    const out = form.querySelector("[data-selected-count]");
    if (out) out.textContent = n;
    if (all) { all.checked = n > 0 && n === boxes().length; all.indeterminate = n > 0 && n < boxes().length; }
  };
  form.addEventListener("change", (event) => {
    if (event.target === all) boxes().forEach((b) => { b.checked = all.checked; });
    count();
  });
  count();
})();
})();

// Email templates: a token button inserts {{ token }} where the cursor was.
(() => {
(() => {
  const body = document.getElementById("id_body");
  if (!body || !document.querySelector("[data-insert-token]")) return;
  let target = body;
  document.getElementById("id_subject")?.addEventListener("focus", (event) => { target = event.target; });
  body?.addEventListener("focus", () => { target = body; });
  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-insert-token]");
    if (!button || !target) return;
    const text = `{{ ${button.dataset.insertToken} }}`;
    const start = target.selectionStart ?? target.value.length;
    const end = target.selectionEnd ?? start;
    target.setRangeText(text, start, end, "end");
    target.focus();
    target.dispatchEvent(new Event("input", { bubbles: true }));
  });
})();
})();

// A select with data-autosubmit applies its filter at once.
document.addEventListener("change", (event) => {
  if (event.target.matches("select[data-autosubmit]")) event.target.form.requestSubmit();
});

// Sign-up: the portal address follows the chosen subdomain.
document.getElementById("id_subdomain")?.addEventListener("input", (event) => {
  const preview = document.getElementById("slug-preview");
  if (preview) preview.textContent = event.target.value.toLowerCase() || "your-office";
});

// Sign-up: the office's time zone starts as the browser's, when nothing is chosen yet.
document.querySelectorAll("select[data-guess-time-zone]").forEach((select) => {
  if (select.value) return;
  let zone = "";
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (error) { return; }
  if ([...select.options].some((option) => option.value === zone)) select.value = zone;
});

// A map embed appears once it has loaded, and only while the browser is online: offline, the
// address and the links stay alone, and the map comes back with the connection. (Not a lazy
// frame: one in a hidden holder never loads.)
document.querySelectorAll("[data-map-embed]").forEach((holder) => {
  let frame = null;
  const load = () => {
    if (frame || navigator.onLine === false) return;
    frame = document.createElement("iframe");
    frame.title = holder.dataset.mapTitle;
    frame.referrerPolicy = "no-referrer";
    frame.addEventListener("load", () => { holder.hidden = !navigator.onLine; }, { once: true });
    frame.src = holder.dataset.mapEmbed;
    holder.append(frame);
  };
  window.addEventListener("online", load);
  window.addEventListener("offline", () => { holder.hidden = true; frame?.remove(); frame = null; });
  load();
});

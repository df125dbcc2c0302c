// Passkeys (WebAuthn): add one, sign in with one, or give one as the second factor.
// A form with data-passkey="register" | "sign-in" | "second-factor" names its two endpoints
// (data-options-url, then its action); the page gives the messages, already translated, as
// data-msg-* attributes. The server speaks base64url; the browser's API speaks ArrayBuffers.

const base64url = {
  encode(buffer) {
    let text = "";
    for (const byte of new Uint8Array(buffer)) text += String.fromCharCode(byte);
    return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  },
  decode(value) {
    const text = value.replace(/-/g, "+").replace(/_/g, "/");
    const raw = atob(text + "===".slice((text.length + 3) % 4));
    return Uint8Array.from(raw, (ch) => ch.charCodeAt(0)).buffer;
  },
};

function creationOptions(json) {
  return {
    ...json,
    challenge: base64url.decode(json.challenge),
    user: { ...json.user, id: base64url.decode(json.user.id) },
    excludeCredentials: (json.excludeCredentials || []).map((c) => ({ ...c, id: base64url.decode(c.id) })),
  };
}

function requestOptions(json) {
  return {
    ...json,
    challenge: base64url.decode(json.challenge),
    allowCredentials: (json.allowCredentials || []).map((c) => ({ ...c, id: base64url.decode(c.id) })),
  };
}

function credentialJSON(credential) {
  const r = credential.response;
  const response = { clientDataJSON: base64url.encode(r.clientDataJSON) };
  if (r.attestationObject) {
    response.attestationObject = base64url.encode(r.attestationObject);
    response.transports = typeof r.getTransports === "function" ? r.getTransports() : [];
  } else {
    response.authenticatorData = base64url.encode(r.authenticatorData);
    response.signature = base64url.encode(r.signature);
    if (r.userHandle) response.userHandle = base64url.encode(r.userHandle);
  }
  return {
    id: credential.id,
    rawId: base64url.encode(credential.rawId),
    type: credential.type,
    response,
    clientExtensionResults: credential.getClientExtensionResults ? credential.getClientExtensionResults() : {},
    authenticatorAttachment: credential.authenticatorAttachment || undefined,
  };
}

function supported() {
  return Boolean(window.PublicKeyCredential && navigator.credentials && window.isSecureContext);
}

function say(form, text) {
  const box = form.querySelector("[data-passkey-error]");
  if (!box) return;
  box.textContent = text;
  box.hidden = !text;
}

function messageFor(form, error) {
  const msg = form.dataset;
  if (error && error.name === "NotAllowedError") return msg.msgCancelled;
  if (error && error.name === "InvalidStateError") return msg.msgExists || msg.msgFailed;
  if (error && (error.name === "NotSupportedError" || error.name === "SecurityError")) return msg.msgUnsupported;
  return (error && error.serverMessage) || msg.msgFailed;
}

async function post(form, url, body) {
  const token = form.querySelector("[name=csrfmiddlewaretoken]");
  const response = await fetch(url, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRFToken": token ? token.value : "" },
    body: JSON.stringify(body || {}),
  });
  let data = {};
  try { data = await response.json(); } catch { data = {}; }
  if (!response.ok) {
    const error = new Error(data.message || "refused");
    error.serverMessage = data.message;
    throw error;
  }
  return data;
}

async function run(form) {
  const kind = form.dataset.passkey;
  const nameInput = form.querySelector("[name=passkey_name]");
  const remember = document.querySelector(form.dataset.rememberInput || "[data-passkey-remember]");
  const next = form.querySelector("[name=next]");
  if (kind === "register" && nameInput && !nameInput.value.trim()) {
    say(form, form.dataset.msgName);
    nameInput.focus();
    return;
  }
  const options = await post(form, form.dataset.optionsUrl);
  const credential = kind === "register"
    ? await navigator.credentials.create({ publicKey: creationOptions(options.publicKey) })
    : await navigator.credentials.get({ publicKey: requestOptions(options.publicKey) });
  const result = await post(form, form.action, {
    credential: credentialJSON(credential),
    name: nameInput ? nameInput.value : undefined,
    remember: Boolean(remember && remember.checked),
    next: next ? next.value : undefined,
  });
  window.location.assign(result.redirect || window.location.href);
}

document.addEventListener("submit", (event) => {
  const form = event.target.closest("form[data-passkey]");
  if (!form) return;
  event.preventDefault();
  if (!supported()) {
    say(form, form.dataset.msgUnsupported);
    return;
  }
  const button = form.querySelector("button[type=submit]");
  if (button) button.disabled = true;
  say(form, "");
  run(form)
    .catch((error) => say(form, messageFor(form, error)))
    .finally(() => { if (button) button.disabled = false; });
});

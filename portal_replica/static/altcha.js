/* ALTCHA proof of work for the booking page (docs/portal.md, "Captcha"): the solver and an <altcha-widget>
 * element that behaves like the ALTCHA widget the city's page embeds. The widget renders into its own light DOM
 * (no shadow root of its own): a box ".altcha" whose data-state goes unverified → verifying → verified (or error),
 * a checkbox labelled "Ich bin kein Bot."; ticking it fetches the challenge, solves it and posts the payload to
 * the verify URL. It fires "statechange" and "serververification" events like the original.
 *
 * v1: find number with sha256_hex(salt + number) == challenge.
 * v2: key = SHA-256^cost(salt_bytes ‖ nonce_bytes ‖ uint32_be(counter))[:keyLength]; hex(key) starts with keyPrefix.
 * Uses WebCrypto when the page is a secure context, else a small pure-JS SHA-256. */


var K = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
]);

export function sha256js(bytes) {
  var h = new Uint32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
    0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
  var len = bytes.length, total = ((len + 9 + 63) >> 6) << 6;
  var msg = new Uint8Array(total);
  msg.set(bytes);
  msg[len] = 0x80;
  var bits = len * 8;
  msg[total - 4] = (bits >>> 24) & 0xff; msg[total - 3] = (bits >>> 16) & 0xff;
  msg[total - 2] = (bits >>> 8) & 0xff; msg[total - 1] = bits & 0xff;
  msg[total - 5] = Math.floor(len / 0x20000000) & 0xff;
  var w = new Uint32Array(64);
  for (var off = 0; off < total; off += 64) {
    for (var i = 0; i < 16; i++) {
      var j = off + i * 4;
      w[i] = (msg[j] << 24) | (msg[j + 1] << 16) | (msg[j + 2] << 8) | msg[j + 3];
    }
    for (i = 16; i < 64; i++) {
      var a15 = w[i - 15], a2 = w[i - 2];
      var s0 = ((a15 >>> 7) | (a15 << 25)) ^ ((a15 >>> 18) | (a15 << 14)) ^ (a15 >>> 3);
      var s1 = ((a2 >>> 17) | (a2 << 15)) ^ ((a2 >>> 19) | (a2 << 13)) ^ (a2 >>> 10);
      w[i] = (w[i - 16] + s0 + w[i - 7] + s1) | 0;
    }
    var a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
    for (i = 0; i < 64; i++) {
      var S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      var t1 = (hh + S1 + ((e & f) ^ (~e & g)) + K[i] + w[i]) | 0;
      var S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      var t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      hh = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
    }
    h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
  }
  var out = new Uint8Array(32);
  for (i = 0; i < 8; i++) {
    out[i * 4] = h[i] >>> 24; out[i * 4 + 1] = (h[i] >>> 16) & 0xff;
    out[i * 4 + 2] = (h[i] >>> 8) & 0xff; out[i * 4 + 3] = h[i] & 0xff;
  }
  return out;
}

var subtle = window.crypto && window.crypto.subtle;

export function sha256(bytes) {
  if (subtle) {
    return subtle.digest("SHA-256", bytes).then(function (buf) { return new Uint8Array(buf); });
  }
  return Promise.resolve(sha256js(bytes));
}

export function hex(bytes) {
  var s = "";
  for (var i = 0; i < bytes.length; i++) s += (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16);
  return s;
}

function fromHex(text) {
  var out = new Uint8Array(text.length / 2);
  for (var i = 0; i < out.length; i++) out[i] = parseInt(text.substr(i * 2, 2), 16);
  return out;
}

async function solveV1(ch) {
  var enc = new TextEncoder();
  for (var n = 0; n <= ch.maxnumber; n++) {
    if (hex(await sha256(enc.encode(ch.salt + n))) === ch.challenge) return n;
  }
  throw new Error("keine Lösung gefunden");
}

async function solveV2(ch) {
  var p = ch.parameters;
  if (String(p.algorithm).toUpperCase() !== "SHA-256") throw new Error("Algorithmus nicht unterstützt: " + p.algorithm);
  var salt = fromHex(p.salt), nonce = fromHex(p.nonce);
  for (var counter = 0; counter < 5000000; counter++) {
    var data = new Uint8Array(salt.length + nonce.length + 4);
    data.set(salt); data.set(nonce, salt.length);
    new DataView(data.buffer).setUint32(salt.length + nonce.length, counter, false);
    for (var i = 0; i < Math.max(1, p.cost); i++) data = await sha256(data);
    var key = hex(data.slice(0, p.keyLength));
    if (key.indexOf(p.keyPrefix) === 0) return { counter: counter, derivedKey: key };
  }
  throw new Error("keine Lösung gefunden");
}

/** Solve a challenge (v1 or v2 shape) and return the base64 payload for /captcha-verify/. */
export async function solve(challenge) {
  var started = Date.now(), payload;
  if (challenge && challenge.parameters) {
    var s = await solveV2(challenge);
    payload = { challenge: challenge, solution: { counter: s.counter, derivedKey: s.derivedKey, time: Date.now() - started } };
  } else {
    var n = await solveV1(challenge);
    payload = { algorithm: challenge.algorithm, challenge: challenge.challenge, number: n,
      salt: challenge.salt, signature: challenge.signature, took: Date.now() - started };
  }
  return btoa(JSON.stringify(payload));
}

const STRINGS = {
  label: "Ich bin kein Bot.",
  verifying: "Überprüfung läuft...",
  verified: "Erfolgreich überprüft.",
  error: "Die Prüfung ist fehlgeschlagen. Versuchen Sie es später erneut.",
};
let widgetCount = 0;

/** <altcha-widget challenge="<url>" configuration='{"verifyUrl": "<url>", …}'>: solved when its box is ticked. */
class AltchaWidget extends HTMLElement {
  connectedCallback() {
    if (this.box) return; // moved within the page: keep state
    const id = `altcha_checkbox_${++widgetCount}`;
    this.checkbox = document.createElement("input");
    Object.assign(this.checkbox, { type: "checkbox", id, required: true });
    this.text = document.createElement("label");
    this.text.htmlFor = id;
    this.box = document.createElement("div");
    this.box.className = "altcha";
    const main = document.createElement("div");
    main.className = "altcha-main";
    const check = document.createElement("div");
    check.className = "altcha-checkbox";
    check.append(this.checkbox);
    const label = document.createElement("div");
    label.className = "altcha-label";
    label.append(this.text);
    main.append(check, label);
    this.box.append(main);
    this.append(this.box);
    this.checkbox.addEventListener("click", (event) => {
      if (this.state !== "unverified" && this.state !== "error") event.preventDefault();
    });
    this.checkbox.addEventListener("change", () => this.checkbox.checked && this.verify());
    this.setState("unverified");
  }

  setState(state) {
    this.state = state;
    this.box.setAttribute("data-state", state);
    this.text.textContent = STRINGS[state] || STRINGS.label;
    this.checkbox.checked = state === "verifying" || state === "verified";
    this.dispatchEvent(new CustomEvent("statechange", { detail: { state } }));
  }

  verifyUrl() {
    try {
      return JSON.parse(this.getAttribute("configuration") || "{}").verifyUrl || null;
    } catch {
      return null;
    }
  }

  async verify() {
    this.setState("verifying");
    try {
      const challenge = await (await fetch(this.getAttribute("challenge"))).json();
      const payload = await solve(challenge);
      const response = await fetch(this.verifyUrl(), {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ payload }),
      });
      const answer = await response.json();
      const valid = answer?.meta?.success === true && answer?.data?.valid === true;
      this.dispatchEvent(new CustomEvent("serververification", { detail: answer }));
      this.setState(valid ? "verified" : "error");
    } catch (error) {
      console.error("captcha failed", error);
      this.setState("error");
    }
  }
}

if (!customElements.get("altcha-widget")) customElements.define("altcha-widget", AltchaWidget);

/* Booking page of the replica: behaves like the city's zmscitizenview (docs/portal.md, "Booking page").
 * Step 1 "Leistung" loads offices-and-services only; the calendar is requested after "Weiter".
 * The root element carries data-state for automation: loading, service-ready, calendar-loading,
 * calendar-ready, reserved, preconfirmed, confirmed, appointment, cancelled, error. */
(function () {
  "use strict";

  var root = document.getElementById("zms-appointment");
  var API = (root.getAttribute("data-api-base") || "/buergeransicht/api/citizen").replace(/\/+$/, "");
  var TZ = "Europe/Berlin";
  var STEPS = ["Leistung", "Termin", "Kontakt", "Übersicht"];
  var S = {};

  // ---------- helpers ----------
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") node.textContent = attrs[k];
      else if (k === "onclick") node.addEventListener("click", attrs[k]);
      else if (attrs[k] !== null && attrs[k] !== undefined && attrs[k] !== false) node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c) node.appendChild(typeof c === "string" ? document.createTextNode(c) : c); });
    return node;
  }

  function setState(state) { root.setAttribute("data-state", state); }

  function apiError(body, status) {
    var err = new Error("API " + status);
    err.status = status;
    err.errors = (body && body.errors) || [];
    return err;
  }

  async function call(method, path, params, body) {
    var url = API + "/" + path + "/";
    if (params) url += "?" + new URLSearchParams(params).toString();
    var init = { method: method, headers: { "Accept": "application/json" } };
    if (body !== undefined) { init.headers["Content-Type"] = "application/json"; init.body = JSON.stringify(body); }
    var response = await fetch(url, init);
    var data = null;
    try { data = await response.json(); } catch (e) { throw apiError({ errors: [{ errorCode: "serverError" }] }, response.status); }
    if (!response.ok || (data && data.errors)) throw apiError(data, response.status);
    return data;
  }

  function ymd(date) { return new Intl.DateTimeFormat("en-CA", { timeZone: TZ }).format(date); }
  function todayIso() { return ymd(new Date()); }
  function addMonths(iso, months) {
    var p = iso.split("-").map(Number);
    var d = new Date(Date.UTC(p[0], p[1] - 1 + months, p[2]));
    return d.toISOString().slice(0, 10);
  }
  function clock(ts) {
    return new Intl.DateTimeFormat("de-DE", { timeZone: TZ, hour: "2-digit", minute: "2-digit" }).format(new Date(ts * 1000));
  }
  function longDate(iso) {
    var p = iso.split("-").map(Number);
    return new Intl.DateTimeFormat("de-DE", { timeZone: "UTC", weekday: "long", day: "numeric", month: "long", year: "numeric" })
      .format(new Date(Date.UTC(p[0], p[1] - 1, p[2])));
  }
  function monthTitle(iso) {
    var p = iso.split("-").map(Number);
    return new Intl.DateTimeFormat("de-DE", { timeZone: "UTC", month: "long", year: "numeric" }).format(new Date(Date.UTC(p[0], p[1] - 1, 1)));
  }
  function errorText(err) {
    var first = err && err.errors && err.errors[0];
    var code = first && first.errorCode;
    var texts = {
      rateLimitExceeded: "Zu viele Anfragen. Bitte versuchen Sie es später erneut.",
      appointmentNotAvailable: "Der ausgewählte Termin ist leider nicht mehr verfügbar.",
      captchaMissing: "Bitte bestätigen Sie zuerst, dass Sie kein Roboter sind.",
      captchaInvalid: "Die Sicherheitsprüfung ist ungültig. Bitte laden Sie die Seite neu.",
      captchaExpired: "Die Sicherheitsprüfung ist abgelaufen. Bitte laden Sie die Seite neu.",
      tooManyAppointmentsWithSameMail: "Mit dieser E-Mail-Adresse sind bereits zu viele Termine gebucht.",
      invalidEmail: "Bitte geben Sie eine gültige E-Mail-Adresse ein.",
      invalidFamilyName: "Bitte geben Sie Ihren Namen ein.",
      invalidTelephone: "Bitte geben Sie eine gültige Telefonnummer ein.",
      serviceUnavailable: "Das Terminvereinbarungssystem wird gerade gewartet.",
      processNotPreconfirmedAnymore: "Dieser Termin wurde bereits aktiviert.",
      preconfirmationExpired: "Die Zeit zur Aktivierung Ihres Termins ist leider abgelaufen.",
      appointmentNotFound: "Der Termin wurde nicht gefunden. Vielleicht wurde er bereits abgesagt."
    };
    return texts[code] || (first && first.errorMessage) || "Es ist ein Fehler aufgetreten. Bitte versuchen Sie es später erneut.";
  }

  function stepper(current) {
    return el("ol", { "class": "stepper", "aria-label": "Fortschritt" }, STEPS.map(function (name, i) {
      return el("li", { "class": i < current ? "done" : i === current ? "current" : "", "aria-current": i === current ? "step" : null }, [
        el("span", { "class": "stepper__num", text: String(i + 1) }), el("span", { "class": "stepper__label", text: name })
      ]);
    }));
  }

  function render(current, children) {
    root.innerHTML = "";
    if (current !== null) root.appendChild(stepper(current));
    var card = el("section", { "class": "card" }, children);
    root.appendChild(card);
    return card;
  }

  function showError(err, current) {
    render(current === undefined ? null : current, [
      el("div", { "class": "alert alert--error", role: "alert" }, [el("strong", { text: "Fehler: " }), errorText(err)]),
      el("button", { "class": "btn btn--secondary", type: "button", text: "Erneut versuchen", onclick: route })
    ]);
    setState("error");
  }

  // ---------- catalogue ----------
  function officeById(id) { return S.catalogue.offices.filter(function (o) { return o.id === id; })[0]; }
  function offers(officeId, serviceId) {
    return S.catalogue.relations.some(function (r) { return r.officeId === officeId && r.serviceId === serviceId; });
  }
  function peersFor(office, serviceId) {
    var peers = office.sharedBookingOfficeIds || [office.id];
    var ids = [office.id];
    peers.forEach(function (id) { if (ids.indexOf(id) < 0 && offers(id, serviceId)) ids.push(id); });
    return ids;
  }
  function officeChoices(serviceId) {
    var seen = {};
    return S.catalogue.offices.filter(function (o) {
      if (!offers(o.id, serviceId) || (o.disabledByServices || []).indexOf(serviceId) >= 0) return false;
      var key = (o.sharedBookingOfficeIds || [o.id]).slice().sort().join(",");
      if (seen[key]) return false;
      seen[key] = true;
      return true;
    });
  }
  function address(office) {
    var a = office.address || {};
    return [a.street, a.house_number].filter(Boolean).join(" ") + (a.postal_code ? ", " + a.postal_code + " " + (a.city || "") : "");
  }

  // ---------- step 1: Leistung ----------
  async function startBooking(serviceId, officeId) {
    S = { serviceId: serviceId, officeId: officeId, captchaToken: null };
    setState("loading");
    render(0, [el("p", { "class": "muted", text: "Leistungen werden geladen …" })]);
    var params = { serviceId: String(serviceId) };
    if (officeId) params.locationId = String(officeId);
    try {
      S.catalogue = await call("GET", "offices-and-services", params);
    } catch (err) { showError(err, 0); return; }
    S.service = S.catalogue.services.filter(function (s) { return s.id === serviceId; })[0];
    if (!S.service) { showError({ errors: [{ errorMessage: "Die Leistung " + serviceId + " wurde nicht gefunden." }] }, 0); return; }
    var choices = officeChoices(serviceId);
    if (!officeId || !officeById(officeId) || !offers(officeId, serviceId)) S.officeId = choices.length ? choices[0].id : null;
    renderServiceStep(choices);
  }

  function captchaNeeded() {
    return S.catalogue.offices.some(function (o) { return offers(o.id, S.serviceId) && o.scope && o.scope.captchaActivatedRequired; });
  }

  function renderServiceStep(choices) {
    var next = el("button", { "class": "btn btn--primary", type: "button", text: "Weiter", onclick: function () { loadCalendar(null); } });
    var locationBlock;
    if (choices.length > 1) {
      locationBlock = el("fieldset", { "class": "locations" }, [el("legend", { text: "Standort" })].concat(choices.map(function (o) {
        var input = el("input", { type: "radio", name: "standort", value: String(o.id), checked: o.id === S.officeId ? "checked" : null });
        input.addEventListener("change", function () { S.officeId = o.id; });
        return el("label", { "class": "location" }, [input, el("span", {}, [el("strong", { text: o.name }), el("br"), el("small", { text: address(o) })])]);
      })));
    } else {
      var office = officeById(S.officeId);
      locationBlock = office ? el("div", { "class": "location location--single" }, [
        el("span", { "class": "label", text: "Standort" }), el("strong", { text: office.name }), el("small", { text: address(office) })
      ]) : el("p", { "class": "alert", text: "Für diese Leistung ist kein Standort buchbar." });
    }
    var children = [
      el("h2", { text: "Leistung auswählen" }),
      el("div", { "class": "service" }, [
        el("span", { "class": "label", text: "Ausgewählte Leistung" }),
        el("div", { "class": "service__row" }, [el("strong", { "class": "service__name", text: S.service.name }), el("span", { "class": "service__count", text: "Anzahl: 1" })])
      ]),
      locationBlock
    ];
    if (captchaNeeded()) {
      next.disabled = true;
      children.push(captchaWidget(next));
    }
    children.push(el("div", { "class": "actions" }, [next]));
    render(0, children);
    if (!S.officeId) next.disabled = true;
    setState("service-ready");
  }

  function captchaWidget(next) {
    var status = el("span", { "class": "altcha__status", text: "Sicherheitsprüfung wird durchgeführt …" });
    var box = el("div", { "class": "altcha", "data-captcha": "solving", role: "group", "aria-label": "Sicherheitsprüfung" }, [
      el("span", { "class": "altcha__spinner", "aria-hidden": "true" }), status,
      el("small", { "class": "altcha__brand", text: "Geschützt durch ALTCHA" })
    ]);
    (async function () {
      try {
        var challenge = await call("GET", "captcha-challenge");
        var payload = await window.ReplicaAltcha.solve(challenge);
        var verified = await call("POST", "captcha-verify", null, { payload: payload });
        if (!verified.token) throw { errors: [{ errorMessage: "Die Sicherheitsprüfung ist fehlgeschlagen." }] };
        S.captchaToken = verified.token;
        box.setAttribute("data-captcha", "verified");
        status.textContent = "Ich bin kein Roboter – verifiziert";
        if (S.officeId) next.disabled = false;
      } catch (err) {
        box.setAttribute("data-captcha", "failed");
        status.textContent = errorText(err);
      }
    })();
    return box;
  }

  // ---------- step 2: Termin ----------
  async function loadCalendar(day) {
    var office = officeById(S.officeId);
    var today = todayIso();
    var slotsDay = day || today;
    var params = {
      startDate: today, endDate: addMonths(today, 6),
      officeIds: peersFor(office, S.serviceId).join(","), serviceIds: String(S.serviceId), serviceCounts: "1",
      slotsStartDate: slotsDay, slotsEndDate: slotsDay
    };
    if (S.captchaToken) params.captchaToken = S.captchaToken;
    setState("calendar-loading");
    if (!S.calendar) render(1, [el("p", { "class": "muted", text: "Freie Termine werden gesucht …" })]);
    try {
      S.calendar = await call("GET", "available-calendar", params);
    } catch (err) { showError(err, 1); return; }
    S.selectedTime = null;
    renderCalendarStep();
    setState("calendar-ready");
  }

  function bookableDays() {
    var map = {};
    (S.calendar.availableDays || []).forEach(function (d) { map[d.date] = d; });
    return map;
  }

  function renderCalendarStep() {
    var cal = S.calendar, days = bookableDays();
    var office = officeById(S.officeId);
    var header = [el("h2", { text: "Termin auswählen" }), el("p", { "class": "muted", text: S.service.name + " · " + office.name })];
    if (!cal.availableDays || cal.availableDays.length === 0) {
      render(1, header.concat([
        el("div", { "class": "alert alert--info", role: "status" }, [
          el("strong", { text: "Keine freien Termine" }),
          el("p", { text: "Leider sind zurzeit keine freien Termine für diese Leistung verfügbar. Bitte versuchen Sie es später noch einmal." })
        ]),
        el("div", { "class": "actions" }, [el("button", { "class": "btn btn--secondary", type: "button", text: "Zurück", onclick: route })])
      ]));
      return;
    }
    var selected = cal.slotsStartDate;
    var month = selected.slice(0, 7);
    var nav = el("div", { "class": "month-nav" }, [
      el("button", { "class": "btn btn--ghost", type: "button", "aria-label": "Vorheriger Monat", disabled: cal.prevBookableDate ? null : "disabled",
        text: "‹", onclick: function () { loadCalendar(cal.prevBookableDate); } }),
      el("h3", { "class": "month-nav__title", text: monthTitle(selected) }),
      el("button", { "class": "btn btn--ghost", type: "button", "aria-label": "Nächster Monat", disabled: cal.nextBookableDate ? null : "disabled",
        text: "›", onclick: function () { loadCalendar(cal.nextBookableDate); } })
    ]);
    var grid = monthGrid(month, days, selected);
    var dayInfo = days[selected];
    var times = [];
    (dayInfo ? dayInfo.offices : []).forEach(function (o) {
      o.appointments.forEach(function (ts) { times.push({ ts: ts, officeId: Number(o.officeId) }); });
    });
    times.sort(function (a, b) { return a.ts - b.ts; });
    var next = el("button", { "class": "btn btn--primary", type: "button", text: "Weiter", disabled: "disabled", onclick: reserve });
    var timeList = el("div", { "class": "times", role: "group", "aria-label": "Freie Uhrzeiten" }, times.map(function (t) {
      var b = el("button", { "class": "time", type: "button", "data-timestamp": String(t.ts), "data-office-id": String(t.officeId), "aria-pressed": "false", text: clock(t.ts) });
      b.addEventListener("click", function () {
        timeList.querySelectorAll(".time").forEach(function (x) { x.setAttribute("aria-pressed", "false"); });
        b.setAttribute("aria-pressed", "true");
        S.selectedTime = t;
        next.disabled = false;
      });
      return b;
    }));
    render(1, header.concat([
      el("div", { "class": "calendar-layout" }, [
        el("div", { "class": "calendar" }, [nav, grid]),
        el("div", { "class": "slots" }, [
          el("h3", { text: "Freie Termine am " + longDate(selected) }),
          times.length ? timeList : el("p", { "class": "muted", text: "Keine freien Termine an diesem Tag." })
        ])
      ]),
      el("div", { "class": "actions" }, [next])
    ]));
  }

  function monthGrid(month, days, selected) {
    var p = month.split("-").map(Number);
    var first = new Date(Date.UTC(p[0], p[1] - 1, 1));
    var count = new Date(Date.UTC(p[0], p[1], 0)).getUTCDate();
    var lead = (first.getUTCDay() + 6) % 7;
    var table = el("table", { "class": "month", role: "grid", "aria-label": monthTitle(month + "-01") });
    var head = el("tr", {}, ["Mo", "Di", "Mi", "Do", "Fr", "Sa", "So"].map(function (d) { return el("th", { scope: "col", text: d }); }));
    table.appendChild(el("thead", {}, [head]));
    var body = el("tbody"), row = el("tr");
    for (var i = 0; i < lead; i++) row.appendChild(el("td"));
    for (var day = 1; day <= count; day++) {
      var iso = month + "-" + (day < 10 ? "0" : "") + day;
      var cell = el("td");
      if (days[iso]) {
        (function (iso) {
          cell.appendChild(el("button", {
            type: "button", "class": "day day--bookable" + (iso === selected ? " day--selected" : ""),
            "aria-pressed": iso === selected ? "true" : "false", "aria-label": longDate(iso), "data-date": iso, text: String(Number(iso.slice(8))),
            onclick: function () { loadCalendar(iso); }
          }));
        })(iso);
      } else {
        cell.appendChild(el("span", { "class": "day", "aria-disabled": "true", text: String(day) }));
      }
      row.appendChild(cell);
      if ((lead + day) % 7 === 0) { body.appendChild(row); row = el("tr"); }
    }
    if (row.children.length) body.appendChild(row);
    table.appendChild(body);
    return table;
  }

  async function reserve() {
    var t = S.selectedTime;
    var body = { timestamp: t.ts, serviceCount: [1], officeId: t.officeId, serviceId: [String(S.serviceId)] };
    if (S.captchaToken) body.captchaToken = S.captchaToken;
    try {
      S.process = await call("POST", "reserve-appointment", null, body);
    } catch (err) { showError(err, 1); return; }
    renderContactStep(null);
    setState("reserved");
  }

  // ---------- step 3: Kontakt ----------
  function field(label, name, type, value, required) {
    return el("label", { "class": "field" }, [
      el("span", { text: label + (required ? " *" : "") }),
      el("input", { name: name, type: type, value: value || "", required: required ? "required" : null, autocomplete: name === "email" ? "email" : null })
    ]);
  }

  function renderContactStep(message) {
    var p = S.process;
    var form = el("form", { "class": "contact", novalidate: "novalidate" }, [
      field("Name", "familyName", "text", p.familyName, true),
      field("E-Mail", "email", "email", p.email === "test@muenchen.de" ? "" : p.email, true),
      field("Telefon", "telephone", "tel", p.telephone, false),
      el("div", { "class": "actions" }, [el("button", { "class": "btn btn--primary", type: "submit", text: "Weiter" })])
    ]);
    form.addEventListener("submit", async function (ev) {
      ev.preventDefault();
      var data = { processId: p.processId, authKey: p.authKey, familyName: form.familyName.value, email: form.email.value,
        telephone: form.telephone.value || null, scope: p.scope };
      try {
        S.process = await call("POST", "update-appointment", null, data);
      } catch (err) { renderContactStep(errorText(err)); return; }
      renderOverview();
      setState("contact-saved");
    });
    render(2, [
      el("h2", { text: "Kontaktdaten" }),
      el("p", { "class": "muted", text: "Ihr Termin am " + longDate(ymd(new Date(Number(p.timestamp) * 1000))) + " um " + clock(Number(p.timestamp)) + " Uhr ist reserviert." }),
      message ? el("div", { "class": "alert alert--error", role: "alert", text: message }) : null,
      form
    ]);
  }

  // ---------- step 4: Übersicht ----------
  function summary(p) {
    var rows = [["Leistung", p.serviceName], ["Standort", p.officeName], ["Termin", longDate(ymd(new Date(Number(p.timestamp) * 1000))) + ", " + clock(Number(p.timestamp)) + " Uhr"],
      ["Name", p.familyName], ["E-Mail", p.email]];
    return el("dl", { "class": "summary" }, rows.reduce(function (acc, r) { return acc.concat([el("dt", { text: r[0] }), el("dd", { text: r[1] || "–" })]); }, []));
  }

  function renderOverview(message) {
    var p = S.process;
    var consent = el("input", { type: "checkbox", name: "datenschutz" });
    var book = el("button", { "class": "btn btn--primary", type: "button", text: "Termin reservieren", onclick: async function () {
      if (!consent.checked) { renderOverview("Bitte stimmen Sie der Datenschutzerklärung zu."); return; }
      try {
        S.process = await call("POST", "preconfirm-appointment", null, { processId: p.processId, authKey: p.authKey, scope: p.scope });
      } catch (err) { renderOverview(errorText(err)); return; }
      render(3, [el("div", { "class": "alert alert--success", role: "status" }, [
        el("strong", { text: "Fast geschafft!" }),
        el("p", { text: "Wir haben Ihnen eine E-Mail an " + S.process.email + " geschickt. Bitte aktivieren Sie Ihren Termin über den Link in der E-Mail." })
      ])]);
      setState("preconfirmed");
    } });
    render(3, [
      el("h2", { text: "Übersicht" }), summary(p),
      message ? el("div", { "class": "alert alert--error", role: "alert", text: message }) : null,
      el("label", { "class": "consent" }, [consent, " Ich habe die Datenschutzerklärung gelesen und stimme ihr zu."]),
      el("div", { "class": "actions" }, [book])
    ]);
  }

  // ---------- mail links ----------
  function decodeHash(hash) {
    var text = decodeURIComponent(hash).replace(/-/g, "+").replace(/_/g, "/");
    while (text.length % 4) text += "=";
    var data = JSON.parse(atob(text));
    return { processId: Number(data.id), authKey: String(data.authKey) };
  }

  async function confirmAppointment(hash) {
    setState("loading");
    render(null, [el("p", { "class": "muted", text: "Termin wird aktiviert …" })]);
    try {
      var p = await call("POST", "confirm-appointment", null, decodeHash(hash));
      render(null, [el("div", { "class": "alert alert--success", role: "status" }, [el("strong", { text: "Ihr Termin wurde erfolgreich bestätigt." })]), summary(p)]);
      setState("confirmed");
    } catch (err) { showError(err); }
  }

  async function showAppointment(hash) {
    setState("loading");
    try {
      var creds = decodeHash(hash);
      var p = await call("GET", "appointment", { processId: String(creds.processId), authKey: creds.authKey });
      render(null, [el("h2", { text: "Ihr Termin" }), summary(p), el("div", { "class": "actions" }, [
        el("button", { "class": "btn btn--secondary", type: "button", text: "Termin absagen", onclick: async function () {
          try {
            await call("POST", "cancel-appointment", null, { processId: creds.processId, authKey: creds.authKey });
            render(null, [el("div", { "class": "alert alert--info", role: "status", text: "Ihr Termin wurde abgesagt." })]);
            setState("cancelled");
          } catch (err) { showError(err); }
        } })
      ])]);
      setState("appointment");
    } catch (err) { showError(err); }
  }

  // ---------- routing ----------
  function route() {
    var hash = (location.hash || "").replace(/^#/, "").split("?")[0];
    var m;
    if ((m = hash.match(/^\/services\/(\d+)\/locations\/(\d+)\/?$/))) return startBooking(Number(m[1]), Number(m[2]));
    if ((m = hash.match(/^\/services\/(\d+)\/?$/))) return startBooking(Number(m[1]), null);
    if ((m = hash.match(/^\/appointment\/confirm\/(.+)$/))) return confirmAppointment(m[1]);
    if ((m = hash.match(/^\/appointment\/(.+)$/))) return showAppointment(m[1]);
    render(null, [el("h2", { text: "Willkommen" }), el("p", { text: "Bitte wählen Sie eine Leistung über einen Link der Form #/services/<Leistung>/locations/<Standort>." })]);
    setState("idle");
  }

  window.addEventListener("hashchange", route);
  route();
})();

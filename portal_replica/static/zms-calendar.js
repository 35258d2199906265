/* Markup of step 2 "Termin" (docs/portal.md, "Booking page"): office list, month calendar of day tiles, the
 * selected day's times and the chosen appointment, in the structure of the city's page:
 *   day tile   div.muc-calendar-item[role=button][aria-label="<d> auswählen"][aria-disabled] (.selected, .disabled-tile)
 *   times      div#timeslot-grid-provider-<office> > p "Vormittag"|"Nachmittag"|"9:00-9:59" >
 *              div.grid-item[data-provider-id][data-timeslot] > button.timeslot#provider-<office>-timeslot-<unix> */

import { errorText, formatDay, formatTime, monthTitle, t } from "./zms-i18n.js";
import { estimatedMinutes } from "./zms-service.js";
import { fill, h, icon, mucButton, mucCallout, mucCheckbox, mucSpinner, section } from "./zms-ui.js";

const WEEKDAYS = ["Mo", "Di", "Mi", "Do", "Fr", "Sa", "So"];
/** More free times than this on a day: one row per hour instead of per day part (the city's rule). */
const HOURLY_THRESHOLD = 18;

/** Re-render the whole step from the selection's state. */
export function renderSelection(sel) {
  const locked = sel.isCaptchaSessionExpired();
  const parts = [];
  if (!locked) parts.push(providerSelection(sel));
  const empty = sel.fetched && (sel.noProviderSelected() || !sel.hasSelectedProviderWithAppointments()) && !sel.switching;
  const noDayError = sel.errorState && sel.errorState.code === "noAppointmentForThisDay";
  if (!locked && empty) {
    const { header, text } = errorText("noAppointmentForThisScope");
    parts.push(section(h("h2", {}, t("time")), mucCallout("info", h("h3", {}, header), h("div", { class: "m-content" }, h("p", {}, text)))));
  } else if (!locked && (!sel.error || noDayError) && (sel.hasSelectedProviderWithAppointments() || !sel.fetched || sel.switching)) {
    parts.push(
      section(
        h("div", { class: "calendar-list-toggle-container" }, h("h2", { id: "viewToggleLabel" }, t("time"))),
        !sel.fetched || sel.switching ? mucSpinner(t("spinnerText")) : calendarView(sel),
        h("div", { class: "appointment-preview" }, appointmentPreview(sel)),
      ),
    );
  }
  const showError = sel.error || !!sel.view.bookingError;
  if (showError && !sel.switching && (locked || !sel.noProviderSelected())) parts.push(errorBlock(sel));
  parts.push(buttons(sel));
  fill(sel.root, parts);
}

function errorBlock(sel) {
  const booking = sel.view.bookingError;
  const code = booking || (sel.errorState && sel.errorState.code) || "genericFallback";
  const type = booking ? "error" : (sel.errorState && sel.errorState.type) || "error";
  const { header, text } = errorText(code);
  return section(h("h2", {}, t("time")), mucCallout(type, h("h3", {}, header), h("div", { class: "m-content" }, h("p", {}, text))));
}

function buttons(sel) {
  const view = sel.view;
  const back = view.isRebooking ? null : mucButton({ variant: "secondary", icon: "arrow-left", iconLeft: true, onClick: () => sel.back() }, t("back"));
  const disabled = view.selectedTimeslot === 0 || !sel.selectedDay || view.isReserving;
  const next = mucButton({ icon: "arrow-right", disabled, onClick: () => view.nextReserveAppointment() }, h("span", {}, t("next")));
  return h("div", { class: "m-button-group selection-buttons" }, back, next);
}

// ---- office list ------------------------------------------------------------------------------------
function providerSelection(sel) {
  const providers = sel.selectable;
  if (providers.length > 1) {
    const none = !Object.entries(sel.selected).some(([id, on]) => on && providers.some((p) => String(p.id) === id));
    const boxes = providers.map((p) =>
      mucCheckbox({
        id: `provider-${p.id}`,
        label: p.name,
        hint: `${p.address.street} ${p.address.house_number}`,
        checked: !!sel.selected[p.id],
        onToggle: (on) => sel.toggleProvider(p.id, on),
      }),
    );
    const error = none ? h("p", { id: "checkbox-group-error", class: "m-error-message", role: "alert", "aria-live": "polite" }, t("errorMessageProviderSelection")) : null;
    return h(
      "div",
      {},
      h(
        "div",
        { class: "m-component slider-no-margin" },
        h("div", { class: "m-content" }, h("h2", { style: "margin-bottom: 0" }, t("location"))),
        h(
          "div",
          { class: "m-content" },
          h("div", { class: `m-form-group${none ? " has-error" : ""}` }, h("fieldset", { class: "m-checkbox-group" }, h("legend", { class: "m-checkbox-group__legend" }, h("h3", { class: "m-checkbox-group__heading" })), h("div", { class: "m-checkboxes" }, boxes), error)),
        ),
      ),
    );
  }
  const provider = sel.view.selectedProvider;
  if (!provider || providers.length !== 1) return h("div", {});
  return h(
    "div",
    {},
    section(
      h("div", { class: "m-content" }, h("h2", {}, t("location"))),
      h(
        "div",
        { class: "m-teaser-contained m-teaser-contained-contact" },
        h(
          "div",
          { class: "m-teaser-contained-contact__body" },
          h(
            "div",
            { class: "m-teaser-contained-contact__body__inner" },
            h("div", { class: "m-teaser-contained-contact__icon" }, icon("place")),
            h("h3", { id: `provider-${provider.id}`, class: "m-teaser-contained-contact__headline" }, provider.name),
            h("div", { class: "m-teaser-contained-contact__details" }, h("p", { class: "m-teaser-contained-contact__detail" }, icon("map-pin", "icon icon--before"), h("span", {}, `${provider.address.street} ${provider.address.house_number}`))),
          ),
        ),
      ),
    ),
  );
}

// ---- calendar ---------------------------------------------------------------------------------------
function calendarView(sel) {
  return h("div", {}, h("div", { class: "m-component calendar-root" }, h("div", { class: "muc-calendar-wrap" }, monthCalendar(sel))), timesBlock(sel));
}

function monthCalendar(sel) {
  const month = sel.calendarMonth;
  const index = (d) => d.getFullYear() * 12 + d.getMonth();
  const prevDisabled = !!sel.minDate && index(month) <= index(sel.minDate);
  const nextDisabled = !!sel.maxDate && index(month) >= index(sel.maxDate);
  const prev = mucButton({ variant: "ghost", icon: "chevron-left", disabled: prevDisabled, onClick: () => sel.pageMonth(-1), attrs: { "aria-label": t("calendarPreviousMonth") } });
  const next = mucButton({ variant: "ghost", icon: "chevron-right", iconLeft: true, disabled: nextDisabled, onClick: () => sel.pageMonth(1), attrs: { "aria-label": t("calendarNextMonth") } });
  const header = h("div", { class: "muc-calendar-container table-header" }, WEEKDAYS.map((d) => h("div", { class: "header-item" }, h("strong", {}, d))));
  return h(
    "div",
    {},
    h(
      "div",
      { class: "container-wrapper" },
      h("div", { class: "calendar-caption" }, prev, h("div", { class: "header" }, h("h3", {}, monthTitle(month))), next),
      h("div", { class: "container-view-size" }, h("div", { class: "muc-calendar-view-full-size" }, header, h("div", { class: "muc-calendar-container" }, dayTiles(sel, month)))),
    ),
  );
}

function dayTiles(sel, month) {
  const first = new Date(month.getFullYear(), month.getMonth(), 1);
  const length = new Date(month.getFullYear(), month.getMonth() + 1, 0).getDate();
  const tiles = [];
  for (let i = 0; i < (first.getDay() || 7) - 1; i++) tiles.push(h("div", {}));
  for (let day = 1; day <= length; day++) tiles.push(dayTile(sel, new Date(month.getFullYear(), month.getMonth(), day)));
  return tiles;
}

function dayTile(sel, date) {
  const pad = (n) => String(n).padStart(2, "0");
  const key = `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
  const dayOnly = (d) => new Date(d.getFullYear(), d.getMonth(), d.getDate());
  const outside = (sel.minDate && date < dayOnly(sel.minDate)) || (sel.maxDate && date > dayOnly(sel.maxDate));
  const disabled = !sel.allowedDate(key) || !!outside;
  const selected = sel.selectedDay === key;
  const classes = ["muc-calendar-item", disabled ? "disabled-tile" : "", selected ? "selected" : ""].filter(Boolean).join(" ");
  const tile = h("div", { class: classes, tabindex: disabled ? "-1" : "0", role: "button", "aria-label": `${date.getDate()} auswählen`, "aria-disabled": disabled ? "true" : "false" }, String(date.getDate()));
  const choose = () => !disabled && !selected && sel.handleDaySelection(key);
  tile.addEventListener("click", choose);
  tile.addEventListener("keyup", (event) => event.key === "Enter" && choose());
  return tile;
}

// ---- times ------------------------------------------------------------------------------------------
function timesBlock(sel) {
  const hourly = sel.appointmentsCount > HOURLY_THRESHOLD;
  const groups = sel.groupedTimes(hourly);
  if (!sel.selectedDay || !(groups.size > 0 || sel.loadingAppointments)) return null;
  const children = [h("div", { class: "m-content" }, h("h3", { class: "no-top-margin" }, t("availableTimes")))];
  if (sel.loadingAppointments && !sel.loadingComplete) {
    children.push(h("div", { class: "m-content" }, mucSpinner(t("spinnerText"))));
    return section(children);
  }
  children.push(h("div", { class: "selected-day" }, h("h4", {}, formatDay(sel.selectedDay))));
  const several = sel.selectable.length > 1;
  const current = hourly ? sel.currentHour() : sel.currentDayPart();
  const forCalendar = sel.selectedForCalendar();
  for (const [officeId, officeGroups] of groups) {
    const rows = [];
    if (forCalendar[officeId] && current !== null && officeGroups.get(current)) {
      for (const [group, times] of officeGroups) {
        if (group !== current && several) continue;
        const label = hourly ? `${group}:00-${group}:59` : t(group);
        rows.push(timeSlotGrid(sel, officeId, times, label, several));
      }
    }
    children.push(h("div", {}, rows.length ? h("div", {}, rows) : null));
  }
  if (!sel.loadingAppointments && several) children.push(pagingButtons(sel, hourly));
  return section(children);
}

/** "Früher" / "Später": move between day parts (or hours) when several offices are listed. */
function pagingButtons(sel, hourly) {
  let earlierDisabled, laterDisabled, earlier, later;
  if (hourly) {
    const hours = sel.hours();
    const current = sel.currentHour();
    const index = hours.indexOf(current);
    earlierDisabled = current === null || !hours.length || current <= hours[0];
    laterDisabled = current === null || !hours.length || current >= hours[hours.length - 1];
    earlier = () => index > 0 && sel.setSelectedHour(hours[index - 1]);
    later = () => index >= 0 && index < hours.length - 1 && sel.setSelectedHour(hours[index + 1]);
  } else {
    const current = sel.currentDayPart();
    earlierDisabled = current === "am" || sel.firstDayPart() === "pm";
    laterDisabled = current === "pm" || sel.lastDayPart() === "am";
    earlier = () => current === "pm" && sel.setSelectedDayPart("am");
    later = () => current === "am" && sel.setSelectedDayPart("pm");
  }
  return h(
    "div",
    { class: "wrapper m-button-group paging" },
    mucButton({ variant: "ghost", icon: "chevron-left", iconLeft: true, disabled: earlierDisabled, onClick: earlier }, t("earlier")),
    mucButton({ variant: "ghost", icon: "chevron-right", disabled: laterDisabled, onClick: later, attrs: { class: "float-right" } }, t("later")),
  );
}

function timeSlotGrid(sel, officeId, times, label, showTitle) {
  const title = showTitle ? h("h5", { id: `provider-${officeId}`, class: "ml-4 location-title" }, icon("map-pin", "icon icon--before"), sel.officeName(officeId)) : null;
  const items = times.map((time) => {
    const providerId = sel.realOfficeFor(officeId, time);
    const name = sel.officeName(providerId) ?? sel.officeName(officeId) ?? "";
    const text = formatTime(time);
    const button = mucButton(
      {
        variant: sel.isSlotSelected(providerId, time) ? "primary" : "secondary",
        onClick: () => sel.selectTime(providerId, time),
        attrs: { class: "timeslot", id: `provider-${providerId}-timeslot-${time}`, "data-provider-id": String(providerId), "aria-label": name ? `${text} ${t("timeStampSuffix")}, ${name}` : `${text} ${t("timeStampSuffix")}` },
      },
      text,
    );
    return h("div", { class: "grid-item", "data-provider-id": String(providerId), "data-timeslot": String(time) }, button);
  });
  return h("div", { id: `timeslot-grid-provider-${officeId}` }, title, h("div", { class: "wrapper" }, h("p", { class: "left-text nowrap" }, label), h("div", { class: "grid" }, items)));
}

// ---- chosen appointment -----------------------------------------------------------------------------
function appointmentPreview(sel) {
  const provider = sel.view.selectedProvider;
  const time = sel.view.selectedTimeslot;
  if (!provider || !sel.selectedDay || !(time > 0)) return null;
  const minutes = estimatedMinutes(sel.service, provider);
  const content = [
    h("div", {}, h("h3", {}, t("location")), h("p", { id: `provider-${provider.id}`, class: "m-teaser-contained-contact__summary" }, h("span", {}, provider.name, h("br"), `${provider.address.street} ${provider.address.house_number}`))),
    h("div", {}, h("h3", {}, t("time")), h("p", { class: "m-teaser-contained-contact__detail" }, `${formatDay(sel.selectedDay)}, ${formatTime(time)} ${t("clock")}`, minutes !== null ? [h("br"), `${t("estimatedDuration")} ${minutes} ${t("minutes")}`] : null)),
  ];
  const info = provider.scope && provider.scope.infoForAppointment;
  if (info) content.push(h("div", {}, h("h3", {}, t("hint")), h("p", {}, info)));
  return h("div", { "aria-live": "polite" }, mucCallout("info", t("selectedAppointment"), content));
}

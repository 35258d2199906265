/* Step 2 "Termin": which offices are asked, the calendar requests and how their answers select a day
 * (docs/portal.md, "Calendar" and "Booking page"). The rules are those of the city's page:
 * - offices: the deep link's office (checked) and, unless ?exclusiveLocation or the office forbids it, the
 *   other offices of the service (unchecked); shared-booking peers offering the service are asked along;
 * - first request: slots window today; the answer's window decides the auto-selected day (first day inside
 *   it with times, else first inside it, else first with times, else the first listed), and a selected day
 *   outside the loaded window gets one follow-up one-day request;
 * - a click on a day sends a one-day request for it; an identical request is never sent twice in a row.
 * Rendering is in zms-calendar.js. */

import { errorCode } from "./zms-api.js";
import { berlinHour, dateKey, MAXDATE, noon, TODAY } from "./zms-i18n.js";
import { h } from "./zms-ui.js";
import { renderSelection } from "./zms-calendar.js";

const CAPTCHA_CODES = new Set(["captchaExpired", "captchaInvalid", "captchaMissing"]);

const num = (value) => Number(value);
const peersOf = (office) => (Array.isArray(office && office.sharedBookingOfficeIds) ? office.sharedBookingOfficeIds.map(num) : []);
const byPriority = (a, b) => (b.priority ?? -Infinity) - (a.priority ?? -Infinity);

/** Offices where all ``services`` can be booked, shared-booking peers and mix groups collapsed to one entry. */
export function availableProviders(services) {
  if (!services.length) return [];
  let allowed = new Set(services[0].providers.map((p) => p.id));
  for (const service of services.slice(1)) {
    const ids = new Set(service.providers.map((p) => p.id));
    allowed = new Set([...allowed].filter((id) => ids.has(id)));
  }
  const byId = new Map();
  services.flatMap((s) => s.providers).forEach((p) => allowed.has(p.id) && byId.set(num(p.id), p));
  const serviceIds = services.map((s) => num(s.id));
  const usable = [...byId.values()].filter((p) => {
    const disabled = (p.disabledByServices || []).map(num);
    if (!serviceIds.some((id) => disabled.includes(id))) return true;
    const mix = p.allowDisabledServicesMix;
    return mix === true || (Array.isArray(mix) && mix.length > 0);
  });
  const sharedKey = (p) => (peersOf(p).length ? [...peersOf(p)].sort((a, b) => a - b).join(",") : `id:${p.id}`);
  const shared = Object.values(groupBy(usable, sharedKey)).map((group) => [...group].sort((a, b) => num(a.id) - num(b.id))[0]);
  const mixKey = (p) => {
    const mix = p.allowDisabledServicesMix;
    return Array.isArray(mix) && mix.length ? [...mix].map(num).sort((a, b) => a - b).join(",") : `id:${p.id}`;
  };
  return Object.values(groupBy(shared, mixKey)).map((group) => {
    if (group.length === 1) return group[0];
    const clean = group.find((p) => !(p.disabledByServices || []).length);
    const restricted = group.find((p) => (p.disabledByServices || []).length);
    if (!clean || !restricted) return clean || restricted || group[0];
    const disabled = restricted.disabledByServices.map(num);
    return serviceIds.every((id) => disabled.includes(id)) ? clean : restricted;
  });
}

function groupBy(items, key) {
  const groups = {};
  for (const item of items) (groups[key(item)] ||= []).push(item);
  return groups;
}

export class AppointmentSelection {
  constructor(view) {
    this.view = view;
    this.root = h("div", { class: "appointment-selection" });
    this.selectable = [];
    this.selected = {}; // checkbox state: office id -> checked
    this.officeOrder = new Map();
    this.availableDays = null;
    this.loadedStart = this.loadedEnd = null;
    this.checkedDates = new Set();
    this.prevBookableDate = this.nextBookableDate = null;
    this.byDay = new Map();
    this.selectedDay = null;
    this.viewMonth = new Date();
    this.calendarMonth = new Date(this.viewMonth);
    this.minDate = this.maxDate = undefined;
    this.dayOffices = [];
    this.owners = new Map();
    this.appointmentsCount = 0;
    this.selectedHour = this.selectedDayPart = null;
    this.fetched = false;
    this.switching = false;
    this.loadingAppointments = false;
    this.loadingComplete = false;
    this.error = false;
    this.errorState = null;
    this.captchaLocked = false;
    this.lastKey = this.inFlightKey = this.inFlight = this.abort = null;
    this.fetchGeneration = this.daySelectionGeneration = this.refreshGeneration = 0;
    this.initialPending = false;
    this.mount();
  }

  get service() {
    return this.view.selectedService;
  }

  render() {
    renderSelection(this);
  }

  // ---- offices ---------------------------------------------------------------------------------
  mount() {
    const preselected = this.view.preselectedLocationId;
    const matches = (office) =>
      preselected &&
      (num(office.id) === num(preselected) ||
        num(office.parentId) === num(preselected) ||
        (Array.isArray(office.allowDisabledServicesMix) && office.allowDisabledServicesMix.map(num).includes(num(preselected))) ||
        peersOf(office).includes(num(preselected)));
    const available = availableProviders([this.service]);
    const current = this.view.selectedProvider;
    let offices = available.filter((o) => (preselected ? matches(o) : current ? String(o.id) === String(current.id) : false));
    const alternatives = !offices.length || offices[0].showAlternativeLocations === null || offices[0].showAlternativeLocations;
    const nonExclusive = !offices.length || !this.view.route.exclusiveLocation;
    if (alternatives && nonExclusive) {
      const ids = new Set(offices.map((o) => o.id));
      offices = [...offices, ...available.filter((o) => !ids.has(o.id))];
    }
    const first = offices[0];
    this.selectable = offices.sort(byPriority);
    this.initialPending = true;
    this.selected = Object.fromEntries(this.selectable.map((o) => [o.id, preselected ? Boolean(matches(o)) : true]));
    this.officeOrder = new Map(this.selectable.map((o, i) => [num(o.id), i]));
    this.showSelectionForProvider(first).finally(() => (this.initialPending = false));
    this.onSelectedProvidersChanged();
  }

  async showSelectionForProvider(provider) {
    this.switching = true;
    this.clearVisibleErrors(false);
    this.view.selectedProvider = provider;
    this.selectedDay = null;
    this.view.selectedTimeslot = 0;
    this.render();
    await this.fetchAvailableDaysForSelection();
    this.render();
  }

  /** Checked offices plus the shared-booking peers of checked offices. */
  selectedForCalendar() {
    const result = { ...this.selected };
    for (const office of this.selectable) if (result[office.id]) peersOf(office).forEach((id) => (result[id] = true));
    return result;
  }

  isSelectedForCalendar(officeId) {
    if (this.selected[officeId]) return true;
    return this.selectable.some((p) => this.selected[p.id] && peersOf(p).includes(num(officeId)));
  }

  officeById(id) {
    const found = this.selectable.find((p) => String(p.id) === String(id));
    return found || this.service.providers.find((p) => String(p.id) === String(id));
  }

  /** The office whose section shows ``officeId``'s times: the group's entry for a shared-booking peer. */
  displayOfficeIdFor(officeId) {
    const id = num(officeId);
    const owner = (list) => list.find((p) => peersOf(p).includes(id));
    const selectableOwner = owner(this.selectable);
    if (selectableOwner) return num(selectableOwner.id);
    const serviceOwner = owner(this.service.providers);
    if (serviceOwner) {
      const group = peersOf(serviceOwner);
      const inGroup = this.selectable.map((p) => num(p.id)).filter((sid) => group.includes(sid));
      return Math.min(...(inGroup.length ? inGroup : group));
    }
    return id;
  }

  officeName(id) {
    const display = this.officeById(this.displayOfficeIdFor(id));
    return (display && display.name) || (this.officeById(id) && this.officeById(id).name) || null;
  }

  /** Merge peers' times into their display office; remember which real office owns each time. */
  aggregate(offices) {
    const owners = new Map();
    const byDisplay = new Map();
    for (const office of offices) {
      const realId = num(office.officeId);
      const displayId = this.displayOfficeIdFor(realId);
      for (const time of office.appointments || []) {
        if (!owners.has(`${displayId}_${time}`)) owners.set(`${displayId}_${time}`, realId);
        const list = byDisplay.get(displayId) || [];
        if (!list.includes(time)) list.push(time);
        byDisplay.set(displayId, list);
      }
    }
    const aggregated = [...byDisplay.entries()].map(([officeId, times]) => ({ officeId, appointments: [...times].sort((a, b) => a - b) }));
    return { aggregated, owners };
  }

  /** The real office of a shown time (a shared-booking peer may own it). */
  realOfficeFor(sectionId, time) {
    const displayId = this.displayOfficeIdFor(sectionId);
    const known = this.owners.get(`${displayId}_${time}`);
    if (known !== undefined) return known;
    for (const office of this.byDay.get(this.selectedDay) || []) {
      if (this.displayOfficeIdFor(office.officeId) === displayId && (office.appointments || []).includes(time)) return num(office.officeId);
    }
    return num(sectionId);
  }

  /** Office ids of a calendar request: checked offices and their peers offering every chosen service. */
  calendarOfficeIds() {
    const selectableIds = new Set(this.selectable.map((p) => num(p.id)));
    const base = Object.keys(this.selected).length
      ? Object.entries(this.selected).filter(([, on]) => on).map(([id]) => num(id)).filter((id) => selectableIds.has(id))
      : [...selectableIds];
    const offered = (peer) => this.service.providers.some((p) => num(p.id) === peer);
    const ids = new Set();
    for (const id of base) {
      ids.add(id);
      peersOf(this.selectable.find((p) => num(p.id) === id) || this.officeById(id)).forEach((peer) => offered(peer) && ids.add(peer));
    }
    return [...ids];
  }

  // ---- times of the selected day --------------------------------------------------------------
  shownOffices() {
    return this.aggregate(this.dayOffices.filter((o) => this.isSelectedForCalendar(o.officeId))).aggregated;
  }

  /** office id -> Map(group -> times), grouped by day part ("am"/"pm") or by hour, in the offices' order. */
  groupedTimes(byHour) {
    const result = new Map();
    for (const office of this.shownOffices()) {
      const groups = new Map();
      for (const time of office.appointments) {
        const hour = berlinHour(time);
        const group = byHour ? hour : hour >= 12 ? "pm" : "am";
        if (!groups.has(group)) groups.set(group, []);
        groups.get(group).push(time);
      }
      if (groups.size) result.set(num(office.officeId), groups);
    }
    const order = (id) => this.officeOrder.get(id) ?? Infinity;
    return new Map([...result.entries()].sort((a, b) => order(a[0]) - order(b[0])));
  }

  hours() {
    const hours = new Set();
    for (const groups of this.groupedTimes(true).values()) for (const hour of groups.keys()) hours.add(hour);
    return [...hours].sort((a, b) => a - b);
  }

  firstDayPart() {
    return [...this.groupedTimes(false).values()].some((g) => g.has("am")) ? "am" : "pm";
  }

  lastDayPart() {
    return [...this.groupedTimes(false).values()].some((g) => g.has("pm")) ? "pm" : "am";
  }

  currentDayPart() {
    return this.selectedDayPart ?? this.firstDayPart();
  }

  currentHour() {
    const hours = this.hours();
    return this.selectedHour ?? (hours.length ? hours[0] : null);
  }

  // ---- office and day lists -------------------------------------------------------------------
  providersWithAvailableDays() {
    if (!this.availableDays || !this.availableDays.length || !this.selectable.length) return [];
    const ids = new Set(this.availableDays.flatMap((d) => d.providerIDs.split(",").map((id) => id.trim())));
    return this.selectable.filter((p) => ids.has(String(p.id)) || peersOf(p).some((peer) => ids.has(String(peer))));
  }

  hasSelectedProviderWithAppointments() {
    return this.providersWithAvailableDays().some((p) => this.selected[p.id]);
  }

  noProviderSelected() {
    if (!Object.values(this.selected).some(Boolean)) return true;
    const withDays = this.providersWithAvailableDays();
    if (!withDays.length) return false;
    const ids = new Set(withDays.map((p) => String(p.id)));
    return !Object.keys(this.selected).some((id) => this.selected[id] && ids.has(id));
  }

  inLoadedWindow(key) {
    return !!this.loadedStart && !!this.loadedEnd && key >= this.loadedStart && key <= this.loadedEnd;
  }

  dayHasSlots(key) {
    return (this.byDay.get(key) || []).some((o) => this.isSelectedForCalendar(o.officeId) && (o.appointments || []).length > 0);
  }

  /** Whether a day tile can be chosen: listed for a shown office, and with times once its times are known. */
  allowedDate(key) {
    if (noon(key) >= new Date(MAXDATE.getFullYear(), MAXDATE.getMonth(), MAXDATE.getDate())) return false;
    const entry = (this.availableDays || []).find((d) => d.date.slice(0, 10) === key);
    if (!entry || !entry.providerIDs.split(",").some((id) => this.isSelectedForCalendar(id.trim()))) return false;
    if (this.checkedDates.has(key) || this.inLoadedWindow(key)) return this.dayHasSlots(key);
    return true;
  }

  // ---- errors -----------------------------------------------------------------------------------
  isCaptchaSessionExpired() {
    if (this.captchaLocked) return true;
    const booking = this.view.bookingError;
    if (booking) return CAPTCHA_CODES.has(booking);
    return !!this.errorState && CAPTCHA_CODES.has(this.errorState.code);
  }

  clearLocalApiErrors() {
    if (this.captchaLocked) return; // kept until the person goes back to step 1
    this.error = false;
    this.errorState = null;
  }

  clearVisibleErrors(notifyParent = true) {
    this.clearLocalApiErrors();
    if (notifyParent && !this.captchaLocked) this.view.clearBookingError();
  }

  handleError(data) {
    this.error = true;
    const code = errorCode(data) || "genericFallback";
    const first = data && data.errors && data.errors[0];
    this.errorState = { code, type: (first && first.errorType) || "error" };
    if (CAPTCHA_CODES.has(code)) this.lockForCaptchaExpiry();
  }

  lockForCaptchaExpiry() {
    this.captchaLocked = true;
    this.availableDays = [];
    this.byDay = new Map();
    this.dayOffices = [];
    this.appointmentsCount = 0;
    this.selectedDay = null;
    this.view.selectedTimeslot = 0;
    this.selectedHour = this.selectedDayPart = null;
    this.loadedStart = this.loadedEnd = null;
    this.checkedDates = new Set();
    this.prevBookableDate = this.nextBookableDate = null;
    this.fetched = true;
    this.switching = false;
    this.loadingAppointments = false;
    this.loadingComplete = true;
  }

  // ---- calendar requests ------------------------------------------------------------------------
  freeSlotsWindow() {
    const key = this.selectedDay || dateKey(TODAY);
    return { slotsStartDate: key, slotsEndDate: key };
  }

  requestKey(officeIds, window) {
    const map = this.view.selectedServiceMap;
    return [[...officeIds].sort((a, b) => a - b).join(","), [...map.keys()].join(","), [...map.values()].join(","), window.slotsStartDate, window.slotsEndDate].join("|");
  }

  async fetchAvailableDaysForSelection() {
    if (!this.selectable.length) {
      this.availableDays = [];
      this.fetched = true;
      this.clearLocalApiErrors();
      this.switching = false;
      this.updateDateRange();
      return;
    }
    if (!(await this.reload())) return;
    if (this.selectedDay) this.getAppointmentsOfDay(this.selectedDay);
    this.fetched = true;
    this.switching = false;
  }

  /** One available-calendar request (or none when the same one was just answered or is under way). */
  reload(options = {}) {
    const followUp = options.allowSlotsFollowUp !== false;
    const replace = options.replaceAvailableDays ?? !options.preserveSelectedDay;
    const officeIds = this.calendarOfficeIds();
    if (!officeIds.length) {
      Object.assign(this, { availableDays: [], byDay: new Map(), loadedStart: null, loadedEnd: null, checkedDates: new Set() });
      Object.assign(this, { prevBookableDate: null, nextBookableDate: null, fetched: true, lastKey: null });
      return Promise.resolve(false);
    }
    const window = options.slotsStartDate ? { slotsStartDate: options.slotsStartDate, slotsEndDate: options.slotsEndDate } : this.freeSlotsWindow();
    const key = this.requestKey(officeIds, window);
    if (!options.force && this.lastKey === key && this.fetched) return Promise.resolve(true);
    if (!options.force && this.inFlightKey === key && this.inFlight) return this.inFlight;
    if (this.abort) this.abort.abort();
    if (!options.preserveSelectedDay) {
      this.checkedDates = new Set();
      this.byDay = new Map();
    }
    if (replace) this.availableDays = [];
    const abort = (this.abort = new AbortController());
    const generation = ++this.fetchGeneration;
    this.inFlightKey = key;
    const run = async () => {
      let data;
      try {
        data = await this.view.api.calendar({
          officeIds,
          serviceIds: [...this.view.selectedServiceMap.keys()],
          serviceCounts: [...this.view.selectedServiceMap.values()],
          captchaToken: this.view.captchaToken,
          ...window,
          signal: abort.signal,
        });
      } catch (error) {
        if (abort.signal.aborted) return false;
        if (generation === this.fetchGeneration) {
          this.handleError({ errors: [{ errorCode: "networkError" }] });
          this.fetched = true;
          this.switching = false;
        }
        return false;
      }
      if (generation !== this.fetchGeneration) return false;
      if (!data || data.errors || !this.applyCalendarResponse(data)) {
        this.handleError(data);
        return false;
      }
      this.lastKey = key;
      this.fetched = true;
      this.clearLocalApiErrors();
      if (!options.preserveSelectedDay && !this.selectedDay && this.availableDays.length) this.selectedDay = this.pickDay();
      if (followUp && this.selectedDay && !this.inLoadedWindow(this.selectedDay)) {
        return this.reload({ preserveSelectedDay: true, allowSlotsFollowUp: false });
      }
      if (this.selectedDay) this.viewMonth = firstOfMonth(this.selectedDay);
      this.updateDateRange(options.preserveSelectedDay === true);
      return true;
    };
    this.inFlight = run().finally(() => {
      if (generation === this.fetchGeneration) this.inFlightKey = this.inFlight = null;
    });
    return this.inFlight;
  }

  /** The day a fresh calendar selects by itself. */
  pickDay() {
    const days = this.availableDays.map((d) => d.date.slice(0, 10));
    const key =
      days.find((d) => this.inLoadedWindow(d) && this.dayHasSlots(d)) ??
      days.find((d) => this.inLoadedWindow(d)) ??
      days.find((d) => this.dayHasSlots(d)) ??
      days[0];
    return key;
  }

  /** Merge an answer: times only for its slots window, the day list only for its painted month(s). */
  applyCalendarResponse(calendar) {
    const days = calendar.availableDays;
    if (!Array.isArray(days) || !days.every((d) => d && typeof d === "object" && "date" in d && "providerIDs" in d)) return false;
    const start = calendar.slotsStartDate ?? calendar.startDate ?? dateKey(TODAY);
    const end = calendar.slotsEndDate ?? calendar.endDate ?? dateKey(MAXDATE);
    this.loadedStart = start;
    this.loadedEnd = end;
    this.prevBookableDate = calendar.prevBookableDate ?? null;
    this.nextBookableDate = calendar.nextBookableDate ?? null;
    const startDay = noon(start);
    const endDay = noon(end);
    const paintedStart = dateKey(new Date(startDay.getFullYear(), startDay.getMonth(), 1));
    const paintedEnd = dateKey(new Date(endDay.getFullYear(), endDay.getMonth() + 1, 0));
    const byDay = new Map(this.byDay);
    const checked = new Set(this.checkedDates);
    const listed = [];
    for (const day of days) {
      const key = day.date.slice(0, 10);
      const offices = (day.offices || []).map((o) => ({ officeId: num(o.officeId), appointments: o.appointments || [] }));
      const inWindow = key >= start && key <= end;
      if (inWindow || !byDay.has(key)) byDay.set(key, offices);
      if (!day.providerIDs) continue;
      const withTimes = (list) => list.some((o) => this.isSelectedForCalendar(o.officeId) && o.appointments.length > 0);
      if (inWindow) {
        checked.add(key);
        if (!withTimes(offices)) continue; // checked and empty: stays off even if listed later
      } else if (checked.has(key) && !withTimes(byDay.get(key) || [])) {
        continue;
      }
      const known = (byDay.get(key) || offices).filter((o) => o.appointments.length > 0).map((o) => String(o.officeId));
      listed.push({ date: day.date, providerIDs: known.length ? known.join(",") : day.providerIDs });
    }
    this.byDay = byDay;
    this.checkedDates = checked;
    const merged = new Map();
    for (const day of this.availableDays || []) {
      const key = day.date.slice(0, 10);
      if (key < paintedStart || key > paintedEnd) merged.set(key, day);
    }
    listed.forEach((day) => merged.set(day.date.slice(0, 10), day));
    this.availableDays = [...merged.values()].sort((a, b) => a.date.slice(0, 10).localeCompare(b.date.slice(0, 10)));
    this.updateNavigationBounds(this.availableDays);
    this.remountCalendar();
    return true;
  }

  remountCalendar() {
    this.calendarMonth = new Date(this.viewMonth.getFullYear(), this.viewMonth.getMonth(), 1);
  }

  /** Calendar min/max: the neighbouring bookable days when known, else the loaded range, within the horizon. */
  updateNavigationBounds(days) {
    let earliest = this.loadedStart;
    let latest = this.loadedEnd;
    for (const day of days) {
      const key = day.date.slice(0, 10);
      if (earliest === null || key < earliest) earliest = key;
      if (latest === null || key > latest) latest = key;
    }
    const todayNoon = new Date(TODAY);
    todayNoon.setHours(12, 0, 0, 0);
    let min = noon(this.prevBookableDate ?? earliest ?? dateKey(TODAY));
    let max = noon(this.nextBookableDate ?? latest ?? dateKey(MAXDATE));
    if (Number.isNaN(min.getTime()) || min < todayNoon) min = new Date(todayNoon);
    if (Number.isNaN(max.getTime()) || max > MAXDATE) max = new Date(MAXDATE);
    if (min > max) max = new Date(min);
    this.minDate = min;
    this.maxDate = max;
  }

  /** Bounds from the days of the checked offices; without ``skipValidation`` the earliest such day is selected. */
  updateDateRange(skipValidation = false) {
    if (!this.availableDays) return [];
    const ids = Object.entries(this.selected).filter(([, on]) => on).map(([id]) => num(id));
    const days = this.availableDays.filter((d) => d.providerIDs.split(",").some((id) => ids.includes(num(id))));
    if (days.length) {
      this.updateNavigationBounds(days);
      if (this.selectedDay) this.viewMonth = firstOfMonth(this.selectedDay);
      this.remountCalendar();
      if (!skipValidation) {
        const earliest = days.map((d) => d.date.slice(0, 10)).sort()[0];
        if (this.selectedDay !== earliest) this.handleDaySelection(earliest);
      }
    }
    return days;
  }

  getAppointmentsOfDay(key) {
    this.loadingAppointments = true;
    this.dayOffices = [];
    if (!Object.values(this.selected).some(Boolean)) {
      this.loadingAppointments = false;
      this.loadingComplete = true;
      return;
    }
    const offices = (this.byDay.get(key) || []).filter((o) => this.isSelectedForCalendar(o.officeId));
    const { aggregated, owners } = this.aggregate(offices);
    this.dayOffices = aggregated;
    this.owners = owners;
    this.appointmentsCount = aggregated.reduce((sum, o) => sum + o.appointments.length, 0);
    if (this.appointmentsCount === 0) {
      this.error = true;
      this.errorState = { code: "noAppointmentForThisDay", type: "error" };
    } else {
      this.clearLocalApiErrors();
    }
    const hours = this.hours();
    if (hours.length) this.selectedHour = hours[0];
    this.loadingAppointments = false;
    this.loadingComplete = true;
  }

  // ---- what the person does -------------------------------------------------------------------
  async handleDaySelection(key) {
    if (!key || this.captchaLocked) return;
    const sameDay = this.selectedDay === key;
    this.clearVisibleErrors();
    if (!sameDay) {
      this.selectedDay = key;
      this.view.selectedTimeslot = 0;
      this.selectedHour = this.selectedDayPart = null;
    }
    const generation = ++this.daySelectionGeneration;
    this.loadingAppointments = true;
    this.loadingComplete = false;
    this.render();
    try {
      const reloaded = await this.reload({ preserveSelectedDay: true });
      if (generation !== this.daySelectionGeneration || !reloaded) return;
      this.getAppointmentsOfDay(key);
    } finally {
      if (generation === this.daySelectionGeneration) {
        this.loadingAppointments = false;
        this.loadingComplete = true;
      }
      this.render();
    }
  }

  jumpToBookableDate(key) {
    return this.handleDaySelection(key.slice(0, 10));
  }

  selectTime(sectionId, time) {
    this.clearVisibleErrors();
    this.view.selectedTimeslot = time;
    this.view.selectedProvider = this.officeById(this.realOfficeFor(sectionId, time));
    this.render();
    const summary = this.root.querySelector(".appointment-preview");
    if (summary && summary.scrollIntoView) summary.scrollIntoView({ behavior: "smooth", block: "center" });
    const next = this.root.querySelector(".selection-buttons > :last-child");
    if (next) next.focus({ preventScroll: true });
  }

  isSlotSelected(sectionId, time) {
    const provider = this.view.selectedProvider;
    if (this.view.selectedTimeslot !== time || !provider) return false;
    return num(provider.id) === num(sectionId) || this.displayOfficeIdFor(provider.id) === num(sectionId);
  }

  setSelectedDayPart(part) {
    this.selectedDayPart = part;
    this.render();
  }

  setSelectedHour(hour) {
    this.selectedHour = hour;
    this.render();
  }

  /** A checkbox of the office list changed. */
  toggleProvider(id, on) {
    this.selected = { ...this.selected, [id]: on };
    this.onSelectedProvidersChanged();
    this.render();
  }

  onSelectedProvidersChanged() {
    if (this.captchaLocked) return;
    const ids = Object.keys(this.selected).filter((id) => this.selected[id]);
    if (ids.length === 1) this.view.selectedProvider = this.selectable.find((p) => String(p.id) === ids[0]);
    else this.view.selectedProvider = undefined;
    this.clearVisibleErrors(this.fetched || !!(this.availableDays && this.availableDays.length));
    this.switching = ids.length > 0;
    if (this.initialPending || !this.fetched) return;
    this.scheduleRefresh();
  }

  /** After checkbox changes settle (150 ms): ask again for the checked offices and select their earliest day. */
  scheduleRefresh() {
    const generation = ++this.refreshGeneration;
    const snapshot = JSON.stringify(this.selected);
    clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(async () => {
      if (generation !== this.refreshGeneration || snapshot !== JSON.stringify(this.selected)) return;
      const ids = this.calendarOfficeIds();
      if (this.initialPending || !ids.length || (this.fetched && this.requestKey(ids, this.freeSlotsWindow()) === this.lastKey)) {
        this.switching = false;
        return this.render();
      }
      this.switching = true;
      this.render();
      try {
        if (!(await this.reload({ preserveSelectedDay: true, replaceAvailableDays: true }))) return;
        if (generation !== this.refreshGeneration) return;
        this.fetched = true;
        const days = this.updateDateRange(true);
        if (!days.length) return;
        const earliest = days.map((d) => d.date.slice(0, 10)).sort()[0];
        if (this.selectedDay !== earliest) await this.handleDaySelection(earliest);
        else if (this.selectedDay) this.getAppointmentsOfDay(this.selectedDay);
      } finally {
        if (generation === this.refreshGeneration) this.switching = false;
        this.render();
      }
    }, 150);
  }

  /** Month arrows: jump to the neighbouring bookable day when there is one, else just show the next month. */
  pageMonth(direction) {
    if (this.loadingAppointments) return;
    const target = direction < 0 ? this.prevBookableDate : this.nextBookableDate;
    if (target) return this.jumpToBookableDate(target);
    this.calendarMonth = new Date(this.calendarMonth.getFullYear(), this.calendarMonth.getMonth() + direction, 1);
    this.render();
  }

  back() {
    this.captchaLocked = false;
    this.clearVisibleErrors();
    this.view.decreaseCurrentView();
  }

  destroy() {
    clearTimeout(this.refreshTimer);
    if (this.abort) this.abort.abort();
  }
}

function firstOfMonth(key) {
  const day = noon(key);
  return new Date(day.getFullYear(), day.getMonth(), 1);
}

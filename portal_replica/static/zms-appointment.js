/* The booking page's web component (docs/portal.md, "Booking page"), built like the city's:
 *   <zms-appointment base-url="…">            light DOM, open shadow root holding
 *     <zms-appointment-i18n-host>             open shadow root with a <slot>, and as its light child
 *       <zms-appointment-wrapped base-url>    open shadow root holding the whole app
 * The route is read from location.hash when the app mounts (#/services/<sid>[/locations/<oid>]); later hash
 * changes only matter for the appointment links (#/appointment/<hash>, #/appointment/confirm/<hash>).
 * ?exclusiveLocation=1 limits step 2 to the deep link's office (and its shared-booking peers). */

import { CitizenApi, errorCode } from "./zms-api.js";
import { AppointmentSummary, CustomerInfo, errorCallout } from "./zms-booking.js";
import { errorText, t } from "./zms-i18n.js";
import { AppointmentSelection } from "./zms-selection.js";
import { ServiceFinder, providersOf } from "./zms-service.js";
import { fill, h, iconSprite, mucButton, mucCallout, mucStepper } from "./zms-ui.js";
import "./altcha.js";

const STYLESHEET = new URL("./booking.css", import.meta.url).href;
const STEPS = [
  { id: "0", label: t("service"), icon: "shopping-cart" },
  { id: "1", label: t("appointment"), icon: "calendar" },
  { id: "2", label: t("contact"), icon: "mail" },
  { id: "3", label: t("overview"), icon: "information" },
];

// ---- route --------------------------------------------------------------------------------------------
/** The hash split at "/", after undoing repeated URL encoding and dropping trailing "=" (as the city does). */
function hashParts() {
  let hash = location.hash.startsWith("#") ? location.hash.slice(1) : location.hash;
  for (let i = 0; i < 5; i++) {
    let decoded;
    try {
      decoded = decodeURIComponent(hash);
    } catch {
      break;
    }
    if (decoded === hash) break;
    hash = decoded;
  }
  hash = hash.replace(/=+$/, "");
  return (hash.startsWith("/") ? hash : `/${hash}`).split("/");
}

/** The route of the current URL. An appointment hash may itself contain "/" (base64), so its rest is kept whole. */
function readRoute() {
  const parts = hashParts();
  const route = { serviceId: undefined, locationId: undefined, appointmentHash: undefined, confirmHash: undefined };
  if (parts.length >= 3 && parts[1] === "services") route.serviceId = parts[2];
  if (parts.length >= 5 && parts[3] === "locations") route.locationId = parts[4];
  if (parts[1] === "appointment" && parts[2] === "confirm" && parts.length >= 4) route.confirmHash = parts.slice(3).join("/");
  else if (parts[1] === "appointment" && parts.length >= 3) route.appointmentHash = parts.slice(2).join("/");
  route.exclusiveLocation = new URLSearchParams(location.search).get("exclusiveLocation") ? "1" : undefined;
  return route;
}

/** {id, authKey, …} from a link hash (base64 JSON, padding optional), or null. */
function parseAppointmentHash(hash) {
  try {
    const padded = hash + "=".repeat((4 - (hash.length % 4)) % 4);
    const data = JSON.parse(atob(padded.replace(/-/g, "+").replace(/_/g, "/")));
    return data.id === undefined || data.authKey === undefined ? null : data;
  } catch {
    return null;
  }
}

// ---- the app -------------------------------------------------------------------------------------------
class AppointmentView {
  constructor(host, container) {
    this.root = container;
    this.api = new CitizenApi(host.getAttribute("base-url") || undefined);
    this.route = readRoute();
    this.preselectedLocationId = this.route.locationId;
    this.currentView = 0;
    this.catalogue = null;
    this.selectedService = null;
    this.selectedServiceMap = new Map();
    this.selectedProvider = undefined;
    this.selectedTimeslot = 0;
    this.customerData = { firstName: "", lastName: "", mailAddress: "", telephoneNumber: "" };
    this.appointment = null;
    this.captchaToken = undefined;
    this.bookingError = null; // code of a failed reservation shown on step 2
    this.pageError = null; // {code, type, context} shown below the steps
    this.status = "normal"; // or maintenance / systemFailure
    this.rateLimited = false;
    this.invalidJumpin = false;
    this.appointmentNotFound = false;
    this.isRebooking = false;
    this.rebookOrCancelDialog = false;
    this.appointmentAlreadyActivated = false;
    this.confirmSuccess = false;
    this.cancelSuccess = false;
    this.forcedPast = false;
  }

  start() {
    window.addEventListener("hashchange", () => this.onHashChange());
    if (this.route.confirmHash) return this.runConfirmFromHash(this.route.confirmHash);
    if (this.route.appointmentHash) {
      this.render();
      return this.runAppointmentFromHash(this.route.appointmentHash);
    }
    this.showView(0);
  }

  /** Only the appointment links react to a changed hash; the service route stays as it was read on mount. */
  onHashChange() {
    const route = readRoute();
    if (route.confirmHash && route.confirmHash !== this.route.confirmHash) this.runConfirmFromHash(route.confirmHash);
    else if (route.appointmentHash && route.appointmentHash !== this.route.appointmentHash) this.runAppointmentFromHash(route.appointmentHash);
    this.route = { ...this.route, appointmentHash: route.appointmentHash, confirmHash: route.confirmHash };
  }

  isAppointmentInPast() {
    const ts = Number(this.appointment && this.appointment.timestamp);
    return this.forcedPast || (Number.isFinite(ts) && ts > 0 && ts * 1000 < Date.now());
  }

  /** Show step ``index``: steps 0, 2 and 3 are built afresh; step 1 survives a visit to step 2. */
  showView(index) {
    this.currentView = index;
    if (index === 0) this.finder = new ServiceFinder(this);
    if (index === 0 && this.selection) {
      this.selection.destroy();
      this.selection = null;
    }
    if (index === 1 && !this.selection) this.selection = new AppointmentSelection(this);
    if (index === 2) this.customer = new CustomerInfo(this);
    if (index === 3) this.summary = new AppointmentSummary(this);
    this.render();
    window.scrollTo({ top: 0, behavior: "instant" });
    const current = this.root.querySelector(".m-form-step__icon[aria-current='step']");
    if (current) current.focus({ preventScroll: true });
  }

  render() {
    const parts = [];
    const normal = this.status === "normal";
    if (this.status === "maintenance") parts.push(this.pageCallout("warning", t("maintenancePageHeader"), t("maintenancePageText")));
    if (this.status === "systemFailure") parts.push(this.pageCallout("error", t("systemFailurePageHeader"), t("systemFailurePageText")));
    if (normal && this.rateLimited) {
      const { header, text } = errorText("rateLimitExceeded");
      parts.push(this.pageCallout("warning", header, text));
    }
    const steps =
      normal && !this.rateLimited && (!this.route.confirmHash || this.appointmentAlreadyActivated) && !this.invalidJumpin && !this.appointmentNotFound && this.currentView < 4;
    if (steps) parts.push(h("div", {}, this.stepper(), this.column(this.stepContent())));
    if (normal && !this.rateLimited) parts.push(this.column(this.resultContent()));
    fill(this.root, h("div", { class: "m-component m-component-form" }, parts));
    if (this.selection && this.currentView === 1) this.selection.render();
  }

  column(children) {
    return h("div", { class: "container" }, h("div", { class: "m-component__grid" }, h("div", { class: "m-component__column" }, children)));
  }

  pageCallout(type, header, text) {
    return this.column(mucCallout(type, header, h("p", {}, text)));
  }

  stepper() {
    if (this.isAppointmentInPast()) return null;
    return mucStepper(STEPS, String(this.currentView), {
      disablePrevious: !!this.route.appointmentHash || this.appointmentAlreadyActivated,
      onChange: (id) => this.changeStep(Number(id)),
    });
  }

  stepContent() {
    const view = this.currentView;
    const parts = [];
    if (view === 0 && !this.route.appointmentHash && !this.appointmentAlreadyActivated && this.finder) parts.push(h("div", {}, this.finder.root));
    if (this.selection) parts.push(h("div", { style: view === 1 ? null : "display: none" }, this.selection.root));
    if (view === 2 && this.customer) parts.push(h("div", {}, this.customer.root));
    if (view === 3) parts.push(h("div", {}, this.overviewContent()));
    return parts;
  }

  overviewContent() {
    if (this.isAppointmentInPast()) {
      return h("div", {}, mucCallout("error", t("rescheduleErrorHeader"), h("p", {}, t("rescheduleErrorText"))), mucButton({ icon: "arrow-right", onClick: () => this.redirectToStart() }, t("newAppointmentButton")));
    }
    const error = this.pageError && ["update", "preconfirm"].includes(this.pageError.context) ? this.pageError : null;
    if (error) return errorCallout(error);
    if (!this.summary) this.summary = new AppointmentSummary(this);
    this.summary.render();
    return this.summary.root;
  }

  /** What is shown below the steps: activation notice, cancellation, confirmation and link errors. */
  resultContent() {
    if (this.currentView === 4) {
      const parts = [];
      if (!this.cancelSuccess) {
        const minutes = String(this.activationMinutes() ?? 30);
        parts.push(mucCallout("warning", t("confirmAppointmentHeader"), h("p", {}, t("confirmAppointmentText", { activationMinutes: minutes }))));
      } else {
        parts.push(mucCallout("success", t("appointmentSuccessfullyCanceledHeader"), h("p", {}, t("appointmentSuccessfullyCanceledText"))));
      }
      if (this.pageError && this.pageError.context === "cancel") parts.push(errorCallout(this.pageError));
      return parts;
    }
    const parts = [];
    if (this.confirmSuccess) {
      parts.push(mucCallout("success", t("appointmentSuccessfullyBookedHeader"), h("p", {}, t("appointmentSuccessfullyBookedText"))));
      parts.push(h("div", { class: "m-button-group" }, mucButton({ variant: "secondary", onClick: () => this.redirectToStart() }, t("bookAnotherAppointment"))));
    }
    const error = this.pageError && ["confirm", "initialization"].includes(this.pageError.context) ? this.pageError : null;
    if (error && !this.confirmSuccess && !this.appointmentAlreadyActivated) parts.push(errorCallout(error));
    if (this.invalidJumpin) {
      const { header, text } = errorText("invalidJumpinLink");
      const start = mucButton({ icon: "arrow-right", onClick: () => this.redirectToStart() }, t("bookAppointmentStart"));
      parts.push(mucCallout("error", header, h("p", {}, text), h("div", { class: "m-button-group" }, h("p", {}, start))));
    }
    return parts;
  }

  activationMinutes() {
    const raw = (this.appointment && this.appointment.scope && this.appointment.scope.activationDuration) ?? (this.selectedProvider && this.selectedProvider.scope && this.selectedProvider.scope.activationDuration);
    const minutes = typeof raw === "string" ? parseInt(raw, 10) : raw;
    return Number.isFinite(minutes) ? minutes : undefined;
  }

  // ---- errors ----------------------------------------------------------------------------------------
  /** Catalogue failures switch the whole page to a notice, as the city's page does; true when one did. */
  handleCatalogueErrors(data) {
    const first = data && Array.isArray(data.errors) ? data.errors[0] : null;
    if (!data || typeof data !== "object" || Array.isArray(data)) this.status = "systemFailure";
    else if (!first) return false;
    else if (first.errorCode === "rateLimitExceeded") this.rateLimited = true;
    else if (first.statusCode === 503 || first.errorCode === "serviceUnavailable" || (first.statusCode >= 400 && first.statusCode < 500)) this.status = "maintenance";
    else this.status = "systemFailure";
    this.render();
    return true;
  }

  invalidJumpinLink() {
    this.invalidJumpin = true;
    this.render();
  }

  clearBookingError() {
    if (!this.bookingError) return;
    this.bookingError = null;
  }

  clearAllErrors() {
    this.pageError = null;
    this.bookingError = null;
  }

  captchaTokenChanged(token) {
    this.captchaToken = token ?? undefined;
    this.clearBookingError();
  }

  // ---- navigation -----------------------------------------------------------------------------------
  changeStep(step) {
    if (step < this.currentView) {
      this.clearAllErrors();
      this.showView(step);
    }
  }

  decreaseCurrentView() {
    this.clearAllErrors();
    this.showView(this.currentView - 1);
  }

  redirectToStart() {
    window.location.href = window.location.origin + window.location.pathname;
  }

  /** Step 1 "Weiter": the chosen service and count become the calendar's services. */
  setServices() {
    this.clearAllErrors();
    const service = this.selectedService;
    if (!service) return;
    this.selectedServiceMap = new Map([[service.id, service.count]]);
    this.showView(1);
  }

  // ---- booking -------------------------------------------------------------------------------------
  async nextReserveAppointment() {
    if (this.isReserving) return;
    this.isReserving = true;
    this.clearAllErrors();
    this.rebookOrCancelDialog = false;
    this.render();
    try {
      const data = await this.api.reserve({
        timestamp: this.selectedTimeslot,
        serviceIds: [...this.selectedServiceMap.keys()],
        serviceCounts: [...this.selectedServiceMap.values()],
        officeId: this.selectedProvider ? this.selectedProvider.id : "",
        captchaToken: this.captchaToken,
      });
      if (data && data.processId !== undefined) {
        if (this.appointment && !this.isRebooking) this.api.cancel(this.appointment);
        this.appointment = data;
        if (this.isRebooking) return await this.setRebookData();
        return this.showView(2);
      }
      this.reservationFailed(errorCode(data) || "genericFallback");
    } catch {
      this.reservationFailed("genericFallback");
    } finally {
      this.isReserving = false;
      this.render();
    }
  }

  reservationFailed(code) {
    if (code === "rateLimitExceeded") this.rateLimited = true;
    else if (["appointmentNotAvailable", "captchaExpired", "captchaMissing", "captchaInvalid"].includes(code)) this.bookingError = code;
  }

  async nextUpdateAppointment() {
    if (this.isUpdating || !this.appointment) return;
    this.isUpdating = true;
    this.pageError = null;
    const data = this.customerData;
    Object.assign(this.appointment, {
      familyName: `${data.firstName} ${data.lastName}`,
      email: data.mailAddress,
      telephone: data.telephoneNumber || undefined,
    });
    try {
      const answer = await this.api.update(this.appointment);
      if (answer && answer.processId !== undefined) this.appointment = answer;
      else this.pageError = { context: "update", code: errorCode(answer) || "genericFallback", type: "error" };
    } catch {
      this.pageError = { context: "update", code: "genericFallback", type: "error" };
    } finally {
      this.isUpdating = false;
    }
    this.showView(3);
  }

  async nextBookAppointment() {
    if (this.isBooking || !this.appointment) return;
    this.isBooking = true;
    this.pageError = null;
    if (this.isRebooking) return this.confirm({ id: this.appointment.processId, authKey: this.appointment.authKey });
    try {
      const answer = await this.api.preconfirm(this.appointment);
      if (answer && answer.processId !== undefined) {
        this.appointment = answer;
        this.isBooking = false;
        return this.showView(4);
      }
      this.pageError = { context: "preconfirm", code: errorCode(answer) || "genericFallback", type: "error" };
    } catch {
      this.pageError = { context: "preconfirm", code: "genericFallback", type: "error" };
    }
    this.isBooking = false;
    this.render();
  }

  async nextCancelAppointment() {
    if (this.isCanceling || !this.appointment) return;
    this.isCanceling = true;
    this.pageError = null;
    try {
      const answer = await this.api.cancel(this.appointment);
      if (answer && answer.processId !== undefined) this.cancelSuccess = true;
      else this.pageError = { context: "cancel", code: errorCode(answer) || "genericFallback", type: "error" };
    } catch {
      this.pageError = { context: "cancel", code: "genericFallback", type: "error" };
    }
    this.isCanceling = false;
    this.showView(4);
  }

  /** "Termin verschieben": choose a new time for the same service and office, keeping the contact data. */
  nextRescheduleAppointment() {
    this.pageError = null;
    if (this.isAppointmentInPast()) {
      this.forcedPast = true;
      return this.showView(3);
    }
    this.isRebooking = true;
    this.rebookedAppointment = this.appointment;
    this.setServices();
  }

  nextCancelReschedule() {
    this.pageError = null;
    this.isRebooking = false;
    this.rebookOrCancelDialog = true;
    this.render();
  }

  async setRebookData() {
    const old = this.rebookedAppointment;
    Object.assign(this.appointment, { familyName: old.familyName, email: old.email, telephone: old.telephone, customTextfield: old.customTextfield, customTextfield2: old.customTextfield2 });
    const answer = await this.api.update(this.appointment);
    if (answer && answer.processId !== undefined) this.appointment = answer;
    else this.pageError = { context: "update", code: errorCode(answer) || "genericFallback", type: "error" };
    this.showView(3);
  }

  // ---- appointment links ---------------------------------------------------------------------------
  /** #/appointment/<hash>: the catalogue, then the appointment, shown as the overview step. */
  async runAppointmentFromHash(hash) {
    const credentials = parseAppointmentHash(hash);
    if (!credentials) return this.appointmentNotFoundError();
    this.rebookOrCancelDialog = true;
    const catalogue = await this.api.servicesAndProviders(this.route.serviceId, this.route.locationId);
    if (this.handleCatalogueErrors(catalogue)) return;
    this.catalogue = catalogue;
    let answer;
    try {
      answer = await this.api.appointment(credentials);
    } catch {
      answer = null;
    }
    if (!answer || answer.processId === undefined) return this.appointmentNotFoundError();
    if (answer.captchaToken) this.captchaToken = answer.captchaToken;
    this.appointment = answer;
    const service = catalogue.services.find((s) => String(s.id) === String(answer.serviceId));
    if (!service) return this.render();
    this.selectedService = { ...service, count: answer.serviceCount, providers: providersOf(catalogue, service.id), subServices: [] };
    this.preselectedLocationId = answer.officeId;
    const office = catalogue.offices.find((o) => String(o.id) === String(answer.officeId));
    if (office) this.selectedProvider = { ...office, priority: office.priority || 1 };
    const action = credentials.action;
    if (!action || this.isAppointmentInPast()) return this.showView(3);
    if (action === "reschedule") return this.nextRescheduleAppointment();
    return this.nextCancelAppointment();
  }

  appointmentNotFoundError() {
    this.appointmentNotFound = true;
    this.pageError = { context: "initialization", code: "appointmentNotFound", type: "error" };
    this.render();
  }

  /** #/appointment/confirm/<hash>: activate the preconfirmed appointment. */
  runConfirmFromHash(hash) {
    const credentials = parseAppointmentHash(hash);
    if (!credentials) return this.appointmentNotFoundError();
    this.currentView = 5;
    this.isBooking = true;
    this.render();
    return this.confirm(credentials, hash);
  }

  async confirm(credentials, hash) {
    let answer;
    try {
      answer = await this.api.confirm(credentials);
    } catch {
      answer = null;
    }
    this.isBooking = false;
    this.currentView = 5;
    if (answer && answer.processId !== undefined) {
      this.confirmSuccess = true;
      this.appointment = answer;
      this.pageError = null;
      if (this.isRebooking && this.rebookedAppointment) this.api.cancel(this.rebookedAppointment);
      return this.render();
    }
    const code = errorCode(answer) || "genericFallback";
    if (code === "processNotPreconfirmedAnymore" && hash) {
      const found = await this.api.appointment(credentials).catch(() => null);
      if (found && found.processId !== undefined) {
        this.appointmentAlreadyActivated = true;
        return this.runAppointmentFromHash(hash);
      }
      this.pageError = { context: "confirm", code: "preconfirmationExpired", type: "error" };
    } else if (code === "appointmentNotFound") {
      this.pageError = { context: "confirm", code: "preconfirmationExpired", type: "error" };
    } else {
      const first = answer && answer.errors && answer.errors[0];
      this.pageError = { context: "confirm", code, type: (first && first.errorType) || "error" };
    }
    this.render();
  }
}

// ---- custom elements -----------------------------------------------------------------------------------
const HIDDEN_UNTIL_STYLED = ":host { font-family: 'Open Sans', sans-serif; } main { padding-bottom: 32px; } main.styles-loading { visibility: hidden; }";

/** The app's element: its content stays hidden until its stylesheet has loaded or failed (at most 3 s). */
class ZmsAppointmentWrapped extends HTMLElement {
  connectedCallback() {
    if (this.shadowRoot) return;
    const shadow = this.attachShadow({ mode: "open" });
    const main = h("main", { class: "styles-loading" });
    const reveal = () => main.classList.remove("styles-loading");
    const link = h("link", { href: STYLESHEET, rel: "stylesheet" });
    link.addEventListener("load", reveal);
    link.addEventListener("error", reveal);
    setTimeout(reveal, 3000);
    const app = h("div");
    main.append(h("div", {}, h("div", {}, iconSprite()), app));
    shadow.append(link, h("style", {}, HIDDEN_UNTIL_STYLED), main);
    new AppointmentView(this, app).start();
  }
}

/** Provides the texts to the app in the city's page; here it only slots its child. */
class ZmsAppointmentI18nHost extends HTMLElement {
  connectedCallback() {
    if (!this.shadowRoot) this.attachShadow({ mode: "open" }).append(document.createElement("slot"));
  }
}

/** The element the page embeds: copies its attributes to the app inside its own shadow root. */
class ZmsAppointment extends HTMLElement {
  constructor() {
    super();
    const shadow = this.attachShadow({ mode: "open" });
    const host = document.createElement("zms-appointment-i18n-host");
    const wrapped = document.createElement("zms-appointment-wrapped");
    for (const attr of this.attributes) wrapped.setAttribute(attr.name, attr.value);
    host.append(wrapped);
    shadow.append(host);
  }
}

customElements.define("zms-appointment-i18n-host", ZmsAppointmentI18nHost);
customElements.define("zms-appointment-wrapped", ZmsAppointmentWrapped);
customElements.define("zms-appointment", ZmsAppointment);

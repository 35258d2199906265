/* Step 1 "Leistung" (docs/portal.md, "Booking page"): loads the catalogue, shows the deep link's service with a
 * counter, the captcha when an office offering the service needs one, and "Leistung wechseln" / "Weiter".
 * No availability is asked here. */

import { t } from "./zms-i18n.js";
import { fill, h, icon, mucButton, setButtonDisabled } from "./zms-ui.js";

const SERVICE_INFO_URL = "https://stadt.muenchen.de/service/info/";
const MAX_SLOTS = 25;
const OFTEN_SEARCHED = [
  ["1063475", "shortNameResidenceRegistration"],
  ["1063453", "shortNamePassport"],
  ["1063441", "shortNameIdentityCard"],
  ["10295182", "shortNameIdentityCardCollection"],
  ["10176294", "shortNameDrivingLicenseCollection"],
  ["10225119", "shortNameEidPin"],
  ["1064314", "shortNameVehicleReregistration"],
  ["1064305", "shortNameVehicleDeregistration"],
];

/** Offices offering ``serviceId`` per the relations, each with the relation's slot count. */
export function providersOf(catalogue, serviceId) {
  const result = [];
  for (const relation of catalogue.relations) {
    if (String(relation.serviceId) !== String(serviceId)) continue;
    const office = catalogue.offices.find((o) => String(o.id) === String(relation.officeId));
    if (office) result.push({ ...office, priority: office.priority || 1, slots: relation.slots });
  }
  return result;
}

function maxSlotOf(providers) {
  return providers.reduce((max, p) => (p.slots && p.slots > max ? p.slots : max), 1);
}

function slotsPerAppointment(providers) {
  let min = 0;
  for (const p of providers) {
    const value = parseInt(p.slotsPerAppointment, 10);
    if (value > 0 && (min === 0 || value < min)) min = value;
  }
  return min > 0 ? Math.min(min, MAX_SLOTS) : MAX_SLOTS;
}

/** Shortest appointment length over the offices, or null when the catalogue does not tell. */
export function estimatedMinutes(service, provider) {
  const providers = provider ? service.providers.filter((p) => String(p.id) === String(provider.id)) : service.providers;
  const minutes = providers.filter((p) => p.slots && p.slotTimeInMinutes).map((p) => service.count * p.slots * p.slotTimeInMinutes);
  return minutes.length ? Math.min(...minutes) : null;
}

export class ServiceFinder {
  /** ``view`` is the AppointmentView: shared state (selected service, catalogue) and the callbacks. */
  constructor(view) {
    this.view = view;
    this.root = h("div", { class: "service-finder" });
    this.service = view.selectedService || null;
    this.loaded = false; // the captcha block waits for this step's own catalogue request
    this.captchaValid = false;
    this.captcha = null;
    this.render();
    this.load();
  }

  /** Every visit of the step asks for the catalogue again (also when coming back from step 2). */
  async load() {
    const { view } = this;
    const data = await view.api.servicesAndProviders(view.route.serviceId, view.route.locationId);
    if (view.handleCatalogueErrors(data)) return;
    view.catalogue = data;
    this.loaded = true;
    if (!this.service && view.route.serviceId) this.preselect(view.route.serviceId, view.route.locationId);
    this.render();
  }

  /** Take the deep link's service (its in-person variant if it has one) and check the office. */
  preselect(serviceId, officeId) {
    const { catalogue } = this.view;
    const variant = catalogue.services.find((s) => String(s.parentId) === String(serviceId) && s.variantId === 1);
    const found = variant || catalogue.services.find((s) => String(s.id) === String(serviceId));
    if (found) this.select(found);
    else this.view.invalidJumpinLink();
    if (!officeId) return;
    const office = catalogue.offices.find((o) => String(o.id) === String(officeId));
    const related = catalogue.relations.some((r) => String(r.serviceId) === String(serviceId) && String(r.officeId) === String(officeId));
    if (!office || !related) return this.view.invalidJumpinLink();
    const disabled = (office.disabledByServices || []).map(Number).includes(Number(serviceId));
    const mix = office.allowDisabledServicesMix;
    if (disabled && !(mix === true || (Array.isArray(mix) && mix.length > 0))) this.view.invalidJumpinLink();
  }

  select(service) {
    const providers = providersOf(this.view.catalogue, service.id);
    this.service = { ...service, providers, count: 1, subServices: [] };
    this.view.selectedService = this.service;
  }

  /** Whether an office offering the service needs the captcha (per the catalogue this step loaded). */
  needsCaptcha() {
    if (!this.service || !this.loaded) return false;
    return providersOf(this.view.catalogue, this.service.id).some((p) => p.scope && p.scope.captchaActivatedRequired === true);
  }

  maxCount() {
    const providers = this.service.providers;
    const byQuantity = this.service.maxQuantity || 1;
    return Math.max(1, Math.min(byQuantity, Math.floor(slotsPerAppointment(providers) / maxSlotOf(providers))));
  }

  render() {
    const children = [h("div", { class: "m-content" }, h("h2", {}, t("service")))];
    if (!this.service) children.push(this.renderSearch());
    else children.push(h("div", {}, this.renderCounter(), this.renderDuration(), this.renderCaptcha()));
    children.push(this.renderButtons());
    fill(this.root, children);
  }

  /** Without a preselected service: the often searched services (the city also offers a search field). */
  renderSearch() {
    const links = OFTEN_SEARCHED.map(([id, key]) => {
      const link = h("a", { href: "#" }, t(key));
      link.addEventListener("click", (event) => {
        event.preventDefault();
        const found = this.view.catalogue && this.view.catalogue.services.find((s) => String(s.id) === id);
        if (found) {
          this.select(found);
          this.render();
        }
      });
      return h("li", { class: "m-linklist-inline__list-item" }, link);
    });
    return h(
      "div",
      { class: "m-component service-search", hidden: !!this.view.route.serviceId },
      h("div", { class: "container" }, h("div", { class: "m-linklist-inline" }, h("h3", { class: "m-linklist-inline__title" }, t("oftenSearchedService")), h("ul", { class: "m-linklist-inline__list" }, links))),
    );
  }

  renderCounter() {
    const { service } = this;
    const max = this.maxCount();
    const change = (delta) => {
      service.count = Math.min(max, Math.max(1, service.count + delta));
      this.render();
    };
    const minus = mucButton({
      variant: "secondary",
      disabled: service.count <= 1,
      onClick: () => change(-1),
      attrs: { "aria-label": `Anzahl ${service.name} reduzieren auf ${service.count - 1}`, class: service.count <= 1 ? "counter-btn--disabled" : null },
    }, icon("minus"));
    const plus = mucButton({
      variant: "secondary",
      disabled: service.count >= max,
      onClick: () => change(1),
      attrs: { "aria-label": `Anzahl ${service.name} erhöhen auf ${service.count + 1}`, class: service.count >= max ? "counter-btn--disabled" : null },
    }, icon("plus"));
    const link = h("a", { href: SERVICE_INFO_URL + (service.rootParentId ?? service.id), target: "_blank", class: "m-link", tabindex: "0" }, ` ${service.name} `);
    return h(
      "div",
      { class: "m-component" },
      h(
        "div",
        { class: "grid counter", id: `service-${service.id}` },
        h(
          "div",
          { class: "grid-item" },
          h("div", { class: "content-centered" }, minus),
          h("p", {}, h("strong", { class: "content-centered counter__value" }, h("span", { class: "visually-hidden" }, ` Aktuell ausgewählte Anzahl für ${service.name} ist`), ` ${service.count}`)),
          h("div", { class: "content-centered" }, plus),
        ),
        h("div", { class: "grid-item content-centered-justify-left" }, h("p", {}, h("label", {}, link))),
      ),
    );
  }

  renderDuration() {
    const minutes = estimatedMinutes(this.service);
    if (minutes === null) return null;
    return h("div", { class: "m-component" }, h("div", { class: "wrapper duration" }, icon("clock", "icon duration__icon"), h("div", {}, h("strong", {}, t("estimatedDuration")), h("br"), `${minutes} ${t("minutes")}`)));
  }

  renderCaptcha() {
    if (!this.needsCaptcha()) return null;
    if (!this.captcha) {
      this.captcha = new AltchaCaptcha(this.view, (valid, token) => {
        this.captchaValid = valid;
        if (token !== undefined) this.view.captchaTokenChanged(token);
        if (this.nextButton) setButtonDisabled(this.nextButton, !this.captchaValid);
      });
    }
    return h("div", { class: "captcha" }, this.captcha.root);
  }

  renderButtons() {
    if (!this.service) return h("div", { class: "m-button-group" });
    const change = mucButton({ variant: "secondary", icon: "arrow-left", iconLeft: true, onClick: () => location.replace(location.origin + location.pathname) }, t("change"));
    this.nextButton = mucButton({ icon: "arrow-right", disabled: this.needsCaptcha() && !this.captchaValid, onClick: () => this.view.setServices() }, t("next"));
    return h("div", { class: "m-button-group" }, change, this.nextButton);
  }
}

/** The captcha block: asks captcha-details, then shows the ALTCHA widget with the API's challenge/verify URLs. */
class AltchaCaptcha {
  constructor(view, onResult) {
    this.view = view;
    this.onResult = onResult;
    this.root = h("div", { class: "altcha-block" });
    this.render(false);
    this.load();
  }

  async load() {
    let enabled = false;
    try {
      enabled = !!(await this.view.api.captchaDetails()).captchaEnabled;
    } catch (error) {
      console.error("Failed to fetch captcha details:", error);
    }
    this.render(enabled);
  }

  render(enabled) {
    const description = h("div", { id: "captcha-description", class: "sr-only" }, t("altcha.screenReaderDescription"));
    if (!enabled) return fill(this.root, h("p", {}, t("altcha.loadError")), description);
    const widget = h("altcha-widget", {
      class: "altcha-captcha",
      challenge: this.view.api.url("captcha-challenge"),
      configuration: JSON.stringify({ hideFooter: true, hideLogo: true, verifyUrl: this.view.api.url("captcha-verify") }),
      language: "de",
      "aria-label": t("altcha.ariaLabel"),
      "aria-describedby": "captcha-description",
    });
    widget.addEventListener("statechange", (event) => {
      const state = event.detail && event.detail.state;
      if (state === "verifying" || state === "error" || state === "expired") this.onResult(false, null);
      else if (state === "verified") this.onResult(true);
    });
    widget.addEventListener("serververification", (event) => {
      const answer = event.detail || {};
      const valid = answer.meta?.success === true && answer.data?.valid === true;
      this.onResult(valid, valid ? answer.token ?? null : null);
    });
    fill(this.root, widget, description);
  }
}

/* Steps 3 "Kontakt" and 4 "Übersicht" and the appointment's own view (docs/portal.md, "Booking"):
 * the contact form (update-appointment), the summary with the consent checkbox (preconfirm-appointment) or,
 * for a link's appointment, the reschedule/cancel buttons. */

import { estimatedMinutes } from "./zms-service.js";
import { errorText, formatSummaryDateTime, t } from "./zms-i18n.js";
import { fill, h, mucButton, mucCallout } from "./zms-ui.js";

const EMAIL = /^(?!.*\.\.)(?!\.)(?!.*\.$)[^\s@+]+(?<!\.)@(?!\.)[^\s@+]+\.[^\s@]{2,}$/;
const TELEPHONE = /^\+?[0-9]\d{6,14}$/;
const PRIVACY_URL = "https://stadt.muenchen.de/dam/jcr:26e72fa3-cec7-4628-9a0a-272c330a2bd2/23_07_Art_13_DSGVO.pdf";
const COMMUNICATION_URL = "https://stadt.muenchen.de/infos/elektronische-kommunikation.html";
const SERVICE_INFO_URL = "https://stadt.muenchen.de/service/info/";

function input(id, label, value, { type = "text", autocomplete, required = true, error, placeholder, onInput }) {
  const field = h("input", { id, class: "m-input", type, autocomplete, required, placeholder, "aria-invalid": error ? "true" : null });
  field.value = value || "";
  field.addEventListener("input", () => onInput(field.value));
  return h(
    "div",
    { class: `m-form-group${error ? " has-error" : ""}` },
    h("label", { class: "m-label", for: id }, label, required ? h("span", { class: "mandatory", "aria-hidden": "true" }, " *") : null),
    field,
    error ? h("p", { class: "m-error-message", role: "alert" }, error) : null,
  );
}

/** Step 3: first and last name, e-mail, telephone when the office asks for it. */
export class CustomerInfo {
  constructor(view) {
    this.view = view;
    this.root = h("div", { class: "customer-info" });
    this.showErrors = false;
    this.render();
  }

  errors() {
    const data = this.view.customerData;
    const scope = (this.view.selectedProvider && this.view.selectedProvider.scope) || {};
    const errors = {};
    if (!data.firstName) errors.firstName = t("errorMessageFirstName");
    if (!data.lastName) errors.lastName = t("errorMessageLastName");
    if (!data.mailAddress) errors.mailAddress = t("errorMessageMailAddressRequired");
    else if (!EMAIL.test(data.mailAddress)) errors.mailAddress = t("errorMessageMailAddressValidation");
    if (!data.telephoneNumber && scope.telephoneActivated && scope.telephoneRequired) errors.telephoneNumber = t("errorMessageTelephoneNumberRequired");
    else if (data.telephoneNumber && !TELEPHONE.test(data.telephoneNumber)) errors.telephoneNumber = t("errorMessageTelephoneNumberValidation");
    return errors;
  }

  render() {
    const data = this.view.customerData;
    const scope = (this.view.selectedProvider && this.view.selectedProvider.scope) || {};
    const errors = this.showErrors ? this.errors() : {};
    const set = (name) => (value) => (data[name] = value);
    const form = h(
      "form",
      { class: "m-form m-form--default", novalidate: true },
      input("firstname", t("firstName"), data.firstName, { autocomplete: "given-name", error: errors.firstName, onInput: set("firstName") }),
      input("lastname", t("lastName"), data.lastName, { autocomplete: "family-name", error: errors.lastName, onInput: set("lastName") }),
      input("mailaddress", t("mailAddress"), data.mailAddress, { autocomplete: "email", error: errors.mailAddress, onInput: set("mailAddress") }),
      scope.telephoneActivated
        ? input("telephonenumber", t("telephoneNumber"), data.telephoneNumber, { type: "tel", autocomplete: "tel", required: !!scope.telephoneRequired, placeholder: "+491511234567", error: errors.telephoneNumber, onInput: set("telephoneNumber") })
        : null,
    );
    form.addEventListener("submit", (event) => event.preventDefault());
    const back = mucButton({ variant: "secondary", icon: "arrow-left", iconLeft: true, onClick: () => this.view.decreaseCurrentView() }, t("back"));
    const next = mucButton({ icon: "arrow-right", disabled: this.view.isUpdating, onClick: () => this.next() }, h("span", {}, t("next")));
    fill(this.root, h("h2", { class: "m-component-form__title" }, t("contactDetails")), form, h("div", { class: "m-button-group" }, back, next));
  }

  next() {
    this.showErrors = true;
    if (Object.keys(this.errors()).length) return this.render();
    this.view.nextUpdateAppointment();
  }
}

/** Step 4 and the appointment link's view: what is booked, and what can be done with it. */
export class AppointmentSummary {
  constructor(view) {
    this.view = view;
    this.root = h("div", { class: "appointment-summary" });
    this.communication = false;
    this.render();
  }

  render() {
    const { view } = this;
    const appointment = view.appointment || {};
    const service = view.selectedService;
    const provider = view.selectedProvider;
    const parts = [];
    if (view.appointmentAlreadyActivated && !view.isRebooking) parts.push(h("div", { class: "m-banner m-banner--success already-activated-banner", role: "dialog", "aria-label": "Erfolg" }, t("appointmentAlreadyActivatedHeader")));
    const minutes = service && provider ? estimatedMinutes(service, provider) : null;
    const rows = [
      h("div", { class: "m-content" }, h("h2", {}, `${t("your")} ${t("appointment")}`)),
      h("div", { class: "m-content" }, h("h3", {}, t("service"))),
      h("div", { class: "m-content border-bottom" }, service ? h("p", { id: `service-${service.id}` }, `${service.count}x `, h("a", { href: SERVICE_INFO_URL + (service.rootParentId ?? service.id), target: "_blank", class: "m-link", tabindex: "0" }, service.name)) : null),
      h("div", { class: "m-content" }, h("h3", {}, t("location"))),
      provider
        ? h(
            "div",
            { class: "m-content border-bottom", id: `provider-${provider.id}` },
            h("p", { id: `provider-${provider.id}` }, provider.name),
            h("p", { class: "no-bottom-margin smaller-front-size" }, h("strong", {}, t("address"))),
            h("p", {}, `${provider.address.street} ${provider.address.house_number}`, h("br"), `${provider.address.postal_code} ${provider.address.city}`),
          )
        : null,
      h("div", { class: "m-content" }, h("h3", {}, t("time"))),
      h("div", { class: "m-content border-bottom" }, h("p", {}, `${formatSummaryDateTime(appointment.timestamp)} ${t("timeStampSuffix")}`, minutes !== null ? [h("br"), `${t("estimatedDuration")} ${minutes} ${t("minutes")}`] : null)),
      h("div", { class: "m-content" }, h("h3", {}, t("contact"))),
      h("div", { class: "m-content border-bottom" }, h("p", {}, appointment.familyName || "", h("br"), appointment.email || "", h("br"), appointment.telephone || "")),
    ];
    if (!view.rebookOrCancelDialog) rows.push(this.terms());
    parts.push(h("div", { class: "m-contact" }, h("div", { class: "m-contact__body" }, h("div", { class: "m-contact__section" }, rows))));
    fill(this.root, h("div", { class: "m-component", id: `process-${appointment.processId}-displayNumber-${appointment.displayNumber}` }, parts), this.buttons());
  }

  terms() {
    const checkbox = h("input", { id: "checkbox-electronic-communication", class: "m-checkboxes__input", name: "checkbox-electronic-communication", type: "checkbox", "aria-required": "true" });
    checkbox.checked = this.communication;
    checkbox.addEventListener("click", () => {
      this.communication = !this.communication;
      this.render();
    });
    const label = h("label", { class: "m-label m-checkboxes__label", for: "checkbox-electronic-communication" }, t("communicationCheckboxBefore"), h("a", { href: COMMUNICATION_URL, target: "_blank", rel: "noopener noreferrer" }, t("communicationLinkText")), t("communicationCheckboxAfter"));
    return h(
      "div",
      {},
      h("div", { class: "m-content" }, h("h3", {}, t("termsOfUse"))),
      h("div", { class: "m-content" }, h("h4", { class: "smaller-front-size" }, t("privacyLabel"))),
      h("div", { class: "m-content" }, h("p", { class: "m-label" }, h("a", { href: PRIVACY_URL, target: "_blank", rel: "noopener noreferrer" }, t("privacyLinkText")))),
      h("div", { class: "m-content" }, h("h4", { class: "smaller-front-size" }, t("communicationCheckboxLabel"))),
      h("div", { class: "m-content" }, h("div", { class: "m-checkboxes" }, h("div", { class: "m-checkboxes__item" }, checkbox, label))),
    );
  }

  buttons() {
    const { view } = this;
    const booking = !this.communication || view.isBooking;
    if (view.rebookOrCancelDialog) {
      return h(
        "div",
        { class: "m-button-group" },
        mucButton({ icon: "arrow-right", onClick: () => view.nextRescheduleAppointment() }, t("rescheduleAppointment")),
        mucButton({ variant: "secondary", icon: "close", disabled: view.isCanceling, onClick: () => view.nextCancelAppointment() }, h("span", {}, t("cancelAppointment"))),
      );
    }
    if (view.isRebooking) {
      return h(
        "div",
        { class: "m-button-group" },
        mucButton({ icon: "check", disabled: booking, onClick: () => view.nextBookAppointment() }, h("span", {}, t("rescheduleAppointment"))),
        mucButton({ variant: "secondary", icon: "close", onClick: () => view.nextCancelReschedule() }, t("cancelReschedule")),
      );
    }
    return h(
      "div",
      { class: "m-button-group" },
      mucButton({ variant: "secondary", icon: "arrow-left", iconLeft: true, onClick: () => view.decreaseCurrentView() }, t("back")),
      mucButton({ icon: "check", disabled: booking, onClick: () => view.nextBookAppointment() }, h("span", {}, t("bookAppointment"))),
    );
  }
}

/** A callout for an error code with the city's header and text. */
export function errorCallout(error) {
  const { header, text } = errorText(error.code);
  return mucCallout(error.type || "error", header, h("p", {}, text));
}

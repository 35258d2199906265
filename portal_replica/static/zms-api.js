/* Requests of the booking page to the citizen API (docs/portal.md, "Catalogue", "Calendar", "Captcha", "Booking").
 * Parameters, their order and the error handling follow the city's page: answers are read as JSON whatever the
 * status, so an error comes back as a body with "errors". */

import { dateKey, MAXDATE, TODAY } from "./zms-i18n.js";

const DEFAULT_BASE = "/buergeransicht/api/citizen";
const SUFFIX = "/api/citizen";

/** The API root for a ``base-url`` attribute: whatever it names, the page talks to "<…>/api/citizen". */
export function apiRoot(baseUrl) {
  let url = baseUrl || DEFAULT_BASE;
  if (url.endsWith(SUFFIX)) url = url.slice(0, -SUFFIX.length);
  else if (url.endsWith(SUFFIX + "/")) url = url.slice(0, -SUFFIX.length - 1);
  return url + SUFFIX;
}

export class CitizenApi {
  constructor(baseUrl) {
    this.root = apiRoot(baseUrl);
  }

  url(endpoint) {
    return `${this.root}/${endpoint}/`;
  }

  async request(method, endpoint, { params, data, signal } = {}) {
    const query = params ? "?" + new URLSearchParams(params).toString() : "";
    const init = { method, headers: {} };
    if (signal) init.signal = signal;
    if (method === "POST") {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(data);
    }
    const response = await fetch(this.url(endpoint) + query, init);
    return response.json();
  }

  /** The catalogue; the page names the deep link's service and office although the API ignores them. */
  async servicesAndProviders(serviceId, locationId) {
    const params = new URLSearchParams();
    if (serviceId) {
      params.append("serviceId", serviceId);
      if (locationId) params.append("locationId", locationId);
    }
    const query = params.toString() ? "?" + params.toString() : "";
    try {
      const response = await fetch(this.url("offices-and-services") + query);
      if (response.status >= 400) {
        const data = await response.json().catch(() => ({}));
        if (!data.errors) {
          const code = response.status >= 500 ? "serverError" : "internalError";
          data.errors = [{ errorCode: code, errorMessage: `HTTP ${response.status}`, statusCode: response.status }];
        }
        return data;
      }
      return await response.json();
    } catch {
      return { errors: [{ errorCode: "networkError", errorType: "error", statusCode: 0 }] };
    }
  }

  /** One ``available-calendar`` request: horizon today … today + 6 months, the slots window as given. */
  calendar({ officeIds, serviceIds, serviceCounts, captchaToken, slotsStartDate, slotsEndDate, signal }) {
    const params = {
      startDate: dateKey(TODAY),
      endDate: dateKey(MAXDATE),
      officeIds: officeIds.join(","),
      serviceIds: serviceIds.join(","),
      serviceCounts: serviceCounts.join(","),
    };
    if (captchaToken) params.captchaToken = captchaToken;
    if (slotsStartDate) params.slotsStartDate = slotsStartDate;
    if (slotsEndDate) params.slotsEndDate = slotsEndDate;
    return this.request("GET", "available-calendar", { params, signal });
  }

  reserve({ timestamp, serviceIds, serviceCounts, officeId, captchaToken }) {
    const data = { timestamp, serviceCount: serviceCounts, officeId, serviceId: serviceIds };
    if (captchaToken) data.captchaToken = captchaToken;
    return this.request("POST", "reserve-appointment", { data });
  }

  update(appointment) {
    const { processId, authKey, scope, familyName, email, telephone, customTextfield, customTextfield2 } = appointment;
    const data = { processId, authKey, scope, familyName, email, telephone, customTextfield, customTextfield2 };
    return this.request("POST", "update-appointment", { data });
  }

  preconfirm({ processId, authKey, scope }) {
    return this.request("POST", "preconfirm-appointment", { data: { processId, authKey, scope } });
  }

  /** ``credentials`` is a decoded link hash: {id, authKey, scope?}. */
  confirm(credentials) {
    const data = { processId: credentials.id, authKey: credentials.authKey, scope: credentials.scope };
    return this.request("POST", "confirm-appointment", { data });
  }

  appointment(credentials) {
    const params = { processId: credentials.id, authKey: credentials.authKey };
    if (credentials.scope) params.scope = credentials.scope.id;
    return this.request("GET", "appointment", { params });
  }

  cancel({ processId, authKey, scope }) {
    return this.request("POST", "cancel-appointment", { data: { processId, authKey, scope } });
  }

  async captchaDetails() {
    const response = await fetch(this.url("captcha-details"));
    if (!response.ok) throw new Error("captcha details unavailable");
    return response.json();
  }
}

/** The first error code of an answer, or null for a success body. */
export function errorCode(data) {
  const code = data && Array.isArray(data.errors) && data.errors[0] && data.errors[0].errorCode;
  return typeof code === "string" ? code : null;
}

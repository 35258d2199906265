/* German texts and date/time formatting of the booking page (docs/portal.md, "Booking page").
 * The texts are the ones the city's page shows; the keys follow its message names so the two can be compared. */

const DE = {
  service: "Leistung",
  appointment: "Termin",
  contact: "Kontakt",
  overview: "Übersicht",
  next: "Weiter",
  back: "Zurück",
  change: "Leistung wechseln",
  oftenSearchedService: "Häufig gesuchte Leistungen:",
  estimatedDuration: "Voraussichtliche Termindauer:",
  minutes: "Minuten",
  location: "Ort",
  address: "Adresse",
  time: "Datum und Uhrzeit",
  availableTimes: "Verfügbare Termine",
  am: "Vormittag",
  pm: "Nachmittag",
  earlier: "Früher",
  later: "Später",
  spinnerText: "Wir suchen nach passenden Terminen...",
  timeStampSuffix: "Uhr",
  clock: "Uhr",
  hint: "Hinweis",
  selectedAppointment: "Ausgewählter Termin",
  calendarPreviousMonth: "Vorheriger Monat",
  calendarNextMonth: "Nächster Monat",
  errorMessageProviderSelection: "Bitte wählen Sie mindestens einen Ort aus, um passende Termine zu sehen.",
  "altcha.label": "Ich bin kein Bot.",
  "altcha.verifying": "Überprüfung läuft...",
  "altcha.verified": "Erfolgreich überprüft.",
  "altcha.error": "Die Prüfung ist fehlgeschlagen. Versuchen Sie es später erneut.",
  "altcha.expired": "Die Zeit ist abgelaufen. Versuchen Sie es erneut.",
  "altcha.loadError": "Das Widget konnte nicht geladen werden.",
  "altcha.ariaLabel": "Sicherheitsüberprüfung - Ich bin kein Bot",
  "altcha.screenReaderDescription":
    "Diese Sicherheitsüberprüfung stellt sicher, dass Sie ein Mensch sind und kein automatisiertes Programm. " +
    "Aktivieren Sie das Kontrollkästchen, um zu bestätigen, dass Sie kein Bot sind.",
  "altcha.invalidCaptchaHeader": "Ihre Sitzung ist abgelaufen.",
  "altcha.invalidCaptchaText":
    "Seit dem Start Ihrer Terminbuchung ist zu viel Zeit vergangen. Bitte wählen Sie einen neuen Termin, um mit der Buchung fortzufahren.",
  contactDetails: "Kontaktdaten",
  firstName: "Vorname",
  lastName: "Nachname",
  mailAddress: "E-Mail-Adresse",
  telephoneNumber: "Telefonnummer",
  errorMessageFirstName: "Bitte geben Sie Ihren Vornamen an.",
  errorMessageLastName: "Bitte geben Sie Ihren Nachnamen an.",
  errorMessageMailAddressRequired: "Bitte geben Sie Ihre E-Mail-Adresse an.",
  errorMessageMailAddressValidation:
    "Ihre E-Mail-Adresse entspricht nicht dem vorgegebenen Format. Bitte prüfen Sie nochmal, ob Sie sie richtig geschrieben haben.",
  errorMessageTelephoneNumberRequired: "Bitte geben Sie Ihre Telefonnummer an.",
  errorMessageTelephoneNumberValidation:
    "Ihre Telefonnummer entspricht nicht dem vorgegebenen Format. Bitte geben Sie nur ein +-Zeichen und Zahlen ein.",
  your: "Ihr",
  termsOfUse: "Rechtliche Hinweise",
  privacyLabel: "Datenschutz und Datenverarbeitung",
  privacyLinkText: "Datenschutzhinweise Terminvereinbarung",
  communicationCheckboxLabel: "Elektronische Kommunikation",
  communicationLinkText: "Hinweise zur elektronischen Kommunikation",
  communicationCheckboxBefore: "Ich habe die ",
  communicationCheckboxAfter: " zur Kenntnis genommen und stimme zu, über E-Mail zu meinem Termin benachrichtigt zu werden.",
  bookAppointment: "Termin reservieren",
  rescheduleAppointment: "Termin verschieben",
  cancelAppointment: "Termin absagen",
  cancelReschedule: "Verschieben abbrechen",
  confirmAppointmentHeader: "Aktivieren Sie Ihren Termin.",
  confirmAppointmentText:
    "Sie erhalten in den nächsten Minuten eine E-Mail mit einem Link für die Aktivierung. Klicken Sie auf den Link, um die Buchung abzuschließen. " +
    "Wenn Sie den Termin nicht innerhalb von {activationMinutes} Minuten aktivieren, verfällt Ihre Reservierung.",
  appointmentSuccessfullyBookedHeader: "Ihr Termin wurde gebucht.",
  appointmentSuccessfullyBookedText:
    "Eine Bestätigung und weitere Informationen zu Ihrem Termin erhalten Sie per E-Mail. Wir freuen uns auf Ihren Besuch.",
  appointmentAlreadyActivatedHeader: "Sie haben Ihren Termin bereits aktiviert.",
  appointmentSuccessfullyCanceledHeader: "Sie haben Ihren Termin erfolgreich abgesagt.",
  appointmentSuccessfullyCanceledText: "Danke, dass Sie Ihren Termin für andere freigegeben haben.",
  bookAnotherAppointment: "Weiteren Termin vereinbaren",
  bookAppointmentStart: "Termin vereinbaren",
  rescheduleErrorHeader: "Ihr Termin liegt in der Vergangenheit.",
  rescheduleErrorText:
    "Sie können diesen Termin nicht mehr absagen oder verschieben. Vereinbaren Sie bei Bedarf einen neuen Termin.",
  newAppointmentButton: "Neuen Termin vereinbaren",
  maintenancePageHeader: "Wir aktualisieren unser System für Sie.",
  maintenancePageText: "Zur Zeit befindet sich unser System in der Wartung. Bitte versuchen Sie es später noch einmal.",
  systemFailurePageHeader: "Diese Funktion ist zur Zeit nicht verfügbar.",
  systemFailurePageText:
    "Es gibt aktuell leider ein technisches Problem mit dieser Funktion. Bitte versuchen Sie es später noch einmal.",
  shortNameResidenceRegistration: "Wohnsitz-Anmeldung",
  shortNamePassport: "Reisepass",
  shortNameIdentityCard: "Personalausweis",
  shortNameIdentityCardCollection: "Ausweis-Abholung",
  shortNameDrivingLicenseCollection: "Führerschein-Abholung",
  shortNameEidPin: "eID-PIN",
  shortNameVehicleReregistration: "Kfz-Ummeldung",
  shortNameVehicleDeregistration: "Kfz-Abmeldung",
};

const SESSION_EXPIRED = [
  "Ihre Sitzung ist abgelaufen.",
  "Seit dem Start Ihrer Terminbuchung ist zu viel Zeit vergangen. Bitte wählen Sie einen neuen Termin, um mit der Buchung fortzufahren.",
];
const TRY_LATER = "Bitte versuchen Sie es später erneut.";

/** Header and text of the callout for an API error code (the city's "apiError<Code>" messages). */
const API_ERRORS = {
  noAppointmentForThisDay: ["Aktuell ist kein Termin verfügbar.", "Bitte versuchen Sie es noch einmal zu einem späteren Zeitpunkt."],
  noAppointmentForThisScope: ["Aktuell ist kein Termin verfügbar.", "Bitte versuchen Sie es noch einmal zu einem späteren Zeitpunkt."],
  captchaExpired: SESSION_EXPIRED,
  captchaInvalid: SESSION_EXPIRED,
  captchaMissing: SESSION_EXPIRED,
  sessionTimeout: SESSION_EXPIRED,
  appointmentNotAvailable: [
    "Ihr gewählter Termin ist nicht mehr verfügbar.",
    "Leider hat inzwischen eine andere Person Ihren gewünschten Termin gebucht. Bitte wählen Sie einen neuen Termin aus.",
  ],
  rateLimitExceeded: [
    "Zu viele Anfragen",
    "Sie haben die maximale Anzahl an Anfragen erreicht. Bitte versuchen Sie es später noch einmal.",
  ],
  invalidJumpinLink: [
    "Diese Ansicht kann nicht geladen werden.",
    "Der Link zu dieser Seite ist leider fehlerhaft. Starten Sie die Terminvereinbarung neu, um eine Leistung zu wählen.",
  ],
  appointmentNotFound: [
    "Wir konnten Ihren Termin nicht finden.",
    "Vielleicht haben Sie Ihren Termin bereits abgesagt? Andernfalls überprüfen Sie bitte, ob Sie den richtigen Link verwendet haben.",
  ],
  preconfirmationExpired: [
    "Ihr Termin kann nicht mehr aktiviert werden.",
    "Leider ist die Zeit für die Aktivierung Ihres Termins abgelaufen. Bitte vereinbaren Sie den Termin erneut.",
  ],
  processNotPreconfirmedAnymore: [
    "Ihr Termin kann nicht mehr aktiviert werden.",
    "Leider ist die Zeit für die Aktivierung Ihres Termins abgelaufen. Bitte vereinbaren Sie den Termin erneut.",
  ],
  processNotReservedAnymore: [
    "Ihr Termin kann nicht mehr reserviert werden.",
    "Leider ist die Zeit für die Reservierung Ihres Termins abgelaufen. Bitte vereinbaren Sie den Termin erneut.",
  ],
  tooManyAppointmentsWithSameMail: [
    "Sie haben bereits zu viele Termine gebucht.",
    "Sie können mit Ihrer E-Mail-Adresse nur eine begrenzte Anzahl an Terminen vereinbaren. Bitte sagen Sie einen anderen Termin ab, bevor Sie einen neuen Termin buchen.",
  ],
  emailIsRequired: ["E-Mail-Adresse ist erforderlich.", "Bitte geben Sie Ihre E-Mail-Adresse an."],
  invalidEmail: ["Ungültige E-Mail-Adresse", "Bitte geben Sie eine gültige E-Mail-Adresse ein."],
  invalidFamilyName: ["Ungültiger Familienname", "Bitte geben Sie einen gültigen Familiennamen ein."],
  invalidTelephone: ["Ungültige Telefonnummer", "Bitte geben Sie eine gültige Telefonnummer ein."],
  invalidLocationAndServiceCombination: [
    "Ungültige Kombination aus Ort und Leistung.",
    "Die angegebene Dienstleistung ist an diesem Standort nicht verfügbar.",
  ],
  authKeyMismatch: [
    "Ungültiger Authentifizierungsschlüssel",
    "Leider kann Ihr Termin nicht aktiviert werden. Bitte überprüfen Sie, ob Sie den richtigen Link verwendet haben.",
  ],
  serviceUnavailable: [
    "Dienstleistung nicht verfügbar",
    "Die angefragte Dienstleistung ist derzeit nicht verfügbar. Bitte versuchen Sie es später noch einmal.",
  ],
  internalError: ["Interner Fehler", "Ein interner Fehler ist aufgetreten. Bitte versuchen Sie es später noch einmal."],
  unknownError: ["Ein unbekannter Fehler ist aufgetreten.", TRY_LATER],
  genericFallback: ["Ein Fehler ist aufgetreten.", TRY_LATER],
};

/** The text for ``key``; ``{name}`` placeholders are filled from ``params``. Unknown keys come back as they are. */
export function t(key, params) {
  const text = DE[key] ?? key;
  return params ? text.replace(/\{(\w+)\}/g, (_, name) => String(params[name] ?? "")) : text;
}

/** {header, text} of the callout for an error code, the generic one for codes without their own. */
export function errorText(code) {
  const [header, text] = API_ERRORS[code] ?? API_ERRORS.genericFallback;
  return { header, text };
}

// ---- dates: day keys "YYYY-MM-DD" in the browser's calendar, like the city's page ----
export function dateKey(date) {
  const pad = (n) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** Noon of a day key as a local Date (noon keeps the calendar day whatever the time zone offset). */
export function noon(key) {
  return new Date(`${key.slice(0, 10)}T12:00:00`);
}

/** Today and the horizon end (today + 6 calendar months, overflowing like JavaScript's Date) as read on load. */
export const TODAY = new Date();
export const MAXDATE = new Date(TODAY.getFullYear(), TODAY.getMonth() + 6, TODAY.getDate());

const dayFormatter = new Intl.DateTimeFormat("de-DE", {
  timeZone: "Europe/Berlin",
  weekday: "long",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
});
const timeFormatter = new Intl.DateTimeFormat("de-DE", {
  timeZone: "Europe/Berlin",
  hour: "2-digit",
  minute: "2-digit",
  hour12: false,
});
const hourFormatter = new Intl.DateTimeFormat("de-DE", { timeZone: "Europe/Berlin", hour: "numeric", hour12: false });

/** "Freitag, 21.08.2026" for a day key. */
export function formatDay(key) {
  return key ? dayFormatter.format(noon(key)) : "";
}

/** "09:30" (Munich time) for Unix seconds. */
export function formatTime(seconds) {
  return timeFormatter.format(new Date(seconds * 1000));
}

/** The hour (0..23) of Unix seconds in Munich. */
export function berlinHour(seconds) {
  return parseInt(hourFormatter.format(new Date(seconds * 1000)), 10);
}

/** "August 2026" for the month of a local Date. */
export function monthTitle(date) {
  return date.toLocaleDateString("de-DE", { month: "long", year: "numeric" });
}

const summaryDate = new Intl.DateTimeFormat("de-DE", { weekday: "long", year: "numeric", month: "numeric", day: "numeric" });
const summaryTime = new Intl.DateTimeFormat("de-DE", { timeZone: "Europe/Berlin", hour: "numeric", minute: "numeric", hour12: false });

/** The appointment summary's "Freitag, 21.8.2026, 09:30" for Unix seconds. */
export function formatSummaryDateTime(seconds) {
  const date = new Date(Number(seconds) * 1000);
  return Number.isNaN(date.getTime()) ? "" : `${summaryDate.format(date)}, ${summaryTime.format(date)}`;
}

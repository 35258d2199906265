"""Deutsch."""

TEXTS: dict[str, str] = {
    # -- Begrüßung und Hilfe
    "start": (
        "Hallo! Ich beobachte das Terminportal der Stadt München und melde mich, sobald ein passender Termin "
        "frei wird, mit Bildschirmfoto und dem offiziellen Buchungslink.\n\n"
        "Beginnen Sie mit /watch und wählen Sie Leistung, Standorte und wann Sie Zeit haben."
    ),
    "help": (
        "/watch: eine Leistung beobachten, Schritt für Schritt (oder /watch <Leistung> <Standort>)\n"
        "/list: Ihre Beobachtungen pausieren, fortsetzen, löschen oder automatisch buchen lassen\n"
        "/bookings: Ihre Buchungen, zum Absagen\n"
        "/contact: Ihr Name und Ihre E-Mail-Adresse für Buchungen\n"
        "/status: wie es dem Portal der Stadt geht\n"
        "/language: Deutsch oder English\n"
        "/mydata: alles, was ich über Sie speichere\n"
        "/forget: alles löschen\n"
        "/cancel: den aktuellen Vorgang abbrechen"
    ),
    "cmd_watch": "Eine Leistung auf freie Termine beobachten",
    "cmd_list": "Ihre Beobachtungen",
    "cmd_bookings": "Ihre Buchungen",
    "cmd_contact": "Name und E-Mail für Buchungen",
    "cmd_status": "Wie es dem Portal geht",
    "cmd_language": "Deutsch oder English",
    "cmd_mydata": "Alles, was ich über Sie speichere",
    "cmd_forget": "Alle Ihre Daten löschen",
    "cmd_help": "Was ich kann",
    "cmd_cancel": "Aktuellen Vorgang abbrechen",
    # -- Beobachtung anlegen
    "ask_service": (
        'Welche Leistung brauchen Sie? Tippen Sie ein paar Buchstaben des Namens, z. B. "anmeld" oder "pass".'
    ),
    "no_service": 'Keine Leistung passt zu "{query}". Versuchen Sie andere Buchstaben, z. B. "anmeld" oder "pass".',
    "pick_service": 'Leistungen zu "{query}", bitte wählen:',
    "pick_service_more": 'Leistungen zu "{query}" ({shown} von {total}; mehr Buchstaben grenzen ein):',
    "ask_offices": "{service}\nWelche Standorte? Tippen Sie einen oder mehrere an, dann Fertig; oder jeder Standort.",
    "no_offices": "{service} ist an keinem Standort online buchbar. Bitte wählen Sie eine andere Leistung.",
    "offices_any": "Jeder Standort",
    "done": "Fertig",
    "choose_an_office": "Bitte mindestens einen Standort wählen, oder Jeder Standort.",
    "ask_window": "{service} bei {offices}\nWelcher Zeitraum passt Ihnen?",
    "window_2w": "Nächste 2 Wochen",
    "window_1m": "Nächster Monat",
    "window_3m": "Nächste 3 Monate",
    "window_date": "Bis zu einem Datum…",
    "ask_until": "Bis zu welchem Tag? Tippen Sie ein Datum, z. B. {example}.",
    "date_unreadable": '"{text}" kann ich nicht als Datum lesen. Bitte so eingeben: {example}.',
    "date_past": "Der {date} liegt in der Vergangenheit. Bitte einen Tag ab heute eingeben.",
    "date_too_far": "Der {date} liegt über ein Jahr voraus; so weit zeigt das Portal nicht. Bitte einen früheren Tag.",
    "ask_weekdays": "Welche Wochentage? Tippen Sie die passenden Tage an, dann Fertig; oder Jeder Tag.",
    "any_day": "Jeder Tag",
    "ask_times": "Welche Tageszeit?",
    "times_any": "Jederzeit",
    "times_morning": "Vormittags (bis 12:00)",
    "times_afternoon": "Nachmittags (ab 12:00)",
    "times_range": "Zwischen… (eintippen)",
    "ask_time_range": "Tippen Sie die Uhrzeiten ein, z. B. 08:00-11:30.",
    "time_range_unreadable": '"{text}" kann ich nicht als Zeitraum lesen. Bitte so eingeben: 08:00-11:30.',
    "confirm": (
        "Bitte prüfen:\nLeistung: {service}\nStandorte: {offices}\nZeitraum: {window}\nTage: {weekdays}\n"
        "Uhrzeit: {times}\n\nSo beobachten?"
    ),
    "subscribe_button": "Beobachten",
    "cancel_button": "Abbrechen",
    "watching": (
        "Ich beobachte {service} bei {offices} (#{id}).\n{filters}\n"
        "Ich melde mich, sobald ein passender Termin frei wird."
    ),
    "cancelled": "Abgebrochen; nichts wurde gespeichert.",
    "nothing_to_cancel": "Es gibt nichts abzubrechen.",
    "use_buttons": "Bitte nutzen Sie die Knöpfe oben, oder /cancel.",
    "too_many_subscriptions": (
        "Sie haben schon {limit} Beobachtungen, mehr führe ich pro Person nicht. Löschen Sie zuerst eine in /list."
    ),
    "watch_usage": (
        "Tippen Sie /watch für die Auswahl Schritt für Schritt, oder /watch <Leistung> <Standort>, "
        "z. B. /watch 1063475 10489."
    ),
    "unknown_service": 'Eine Leistung "{query}" kenne ich nicht.',
    "ambiguous_service": '"{query}" passt zu mehreren Leistungen: {names}. Bitte genauer.',
    "unknown_office": '"{query}" ist kein Standort, der {service} anbietet.',
    "catalogue_down": "Ich kann die Liste der Leistungen gerade nicht lesen. Bitte in ein paar Minuten erneut.",
    # -- eine Beobachtung beschreiben
    "weekdays": "Mo,Di,Mi,Do,Fr,Sa,So",
    "any_date": "jedes Datum",
    "until_date": "bis {date}",
    "from_until_date": "{start} bis {end}",
    "every_day": "jeder Tag",
    "any_time": "jederzeit",
    "until_time": "bis {time}",
    "from_time": "ab {time}",
    "between_times": "{start} bis {end}",
    "filters": "{window}, {weekdays}, {times}",
    # -- verwalten
    "list_empty": "Sie beobachten nichts. Beginnen Sie mit /watch.",
    "list_header": "Ihre Beobachtungen ({count} von höchstens {limit}):",
    "subscription": "#{id} {service}\n{offices}\n{filters}{state}",
    "state_paused": "\nPausiert",
    "state_expired": "\nDer Zeitraum ist vorbei",
    "pause_button": "Pausieren",
    "resume_button": "Fortsetzen",
    "delete_button": "Löschen",
    "paused": "Pausiert.",
    "resumed": "Fortgesetzt.",
    "deleted": "#{id} gelöscht.",
    "no_such_subscription": "Sie haben keine Beobachtung #{id}.",
    "unwatch_usage": "So geht's: /unwatch <Nummer> (siehe /list).",
    "unwatched": "Beobachtung #{id} beendet.",
    # -- Sprache und persönliche Daten
    "language_usage": "Wählen Sie Ihre Sprache: /language de oder /language en.",
    "language_set": "Ich schreibe Ihnen ab jetzt auf Deutsch.",
    "mydata_none": "Ich speichere nichts über Sie.",
    "mydata": (
        "Was ich über Sie speichere:\nTelegram-ID: {id}\nSprache: {language}\nBenachrichtigungen: {active}\n"
        "Erster Kontakt: {created}\nGesendete Meldungen: {alerts} (zuletzt: {last})\n\nBeobachtungen:\n"
        "{subscriptions}\n\nKontaktdaten für Buchungen: {contact}\n\nBuchungen:\n{bookings}\n\n/forget löscht alles."
    ),
    "mydata_link": "Dasselbe als Webseite, mit Ihren Meldungen (der Link gilt {minutes} Minuten):\n{link}",
    "mydata_no_subscriptions": "keine",
    "alerts_on": "an",
    "alerts_off": "aus (der Chat hatte mich blockiert)",
    "forget_confirm": (
        "Alles löschen, was ich über Sie speichere: Beobachtungen, Sprache, gesendete Meldungen, Kontaktdaten und "
        "Buchungen? Bei der Stadt gebuchte Termine bleiben gebucht (sagen Sie sie vorher in /bookings ab). "
        "Das lässt sich nicht rückgängig machen."
    ),
    "forget_yes": "Ja, alles löschen",
    "forget_no": "Nein, behalten",
    "forgotten": (
        "Erledigt: Ich habe alles gelöscht, was ich über Sie gespeichert hatte. Mit /start geht es jederzeit weiter."
    ),
    "forget_kept": "Nichts wurde gelöscht.",
    # -- Status
    "status": "Portal: {state}\nSicherung: {breaker}\n\n{targets}",
    "portal_up": "erreichbar",
    "portal_down": "ausgefallen, es antwortet nicht",
    "portal_blocked": "weist unsere Prüfungen derzeit ab",
    "portal_changed": "verändert; Prüfungen pausieren, bis wir angepasst haben",
    "breaker_closed": "geschlossen, Prüfungen laufen",
    "breaker_open": "offen, Prüfungen pausiert",
    "breaker_half-open": "erneuter Versuch",
    "status_target": "{service} bei {office}:\nletzte Prüfung {last} ({outcome}), etwa alle {interval}",
    "status_no_targets": "Sie beobachten gerade nichts; /watch fängt an.",
    "never": "noch keine",
    "outcome_slots": "freie Termine",
    "outcome_no_slots": "keine freien Termine",
    "outcome_error": "fehlgeschlagen",
    "outcome_none": "keine",
    "seconds": "{n} s",
    "minutes": "{n} min",
    # -- Meldungen
    "alert": "Freier Termin: {service}\n{office}\n{times}\ngesehen {seen}\nJetzt buchen: {link}",
    "proof": "Die Buchungsseite der Stadt, gesehen {seen}",
    "more_times": "und {n} weitere",
    "book_button": "Jetzt buchen",
    "book_slot_button": "{time} buchen",
    "news_down": "Das Portal der Stadt ist ausgefallen. Ich versuche es weiter und melde mich, wenn es wieder geht.",
    "news_blocked": "Das Portal der Stadt weist unsere Prüfungen derzeit ab. Ich melde mich, wenn es wieder geht.",
    "news_changed": (
        "Das Portal der Stadt hat sich verändert; meine Prüfungen pausieren, bis sie angepasst sind. "
        "Ich melde mich, wenn es wieder geht."
    ),
    "news_up": "Das Portal der Stadt ist wieder erreichbar; ich beobachte wieder.",
    # -- Kontaktdaten
    "contact_intro": (
        "Um für Sie zu buchen, gebe ich der Stadt Ihren eigenen Namen und Ihre E-Mail-Adresse, auf Wunsch auch Ihre "
        "Telefonnummer. Ich buche nur für Sie; die Stadt schickt ihre Aktivierungs-E-Mail an diese Adresse."
    ),
    "contact_first": (
        "Zum Buchen brauche ich zuerst Ihren eigenen Namen und Ihre E-Mail-Adresse; dorthin schickt die Stadt ihre "
        "Aktivierungs-E-Mail. Ich buche nur für Sie."
    ),
    "contact_current": "Gespeichert: {contact}",
    "ask_name": "Ihr Name, wie im Ausweis:",
    "ask_email": "Ihre E-Mail-Adresse:",
    "ask_phone": (
        "Ihre Telefonnummer, falls der Standort Sie anrufen muss (z. B. +49 170 1234567), oder Überspringen:"
    ),
    "skip_button": "Überspringen",
    "invalid_name": "Bitte tippen Sie Ihren Namen.",
    "invalid_email": (
        'Das Portal der Stadt nimmt "{text}" nicht als E-Mail-Adresse an (es lehnt zum Beispiel ein + ab). '
        "Bitte tippen Sie eine andere."
    ),
    "invalid_phone": (
        'Das Portal der Stadt nimmt "{text}" nicht als Telefonnummer an: 7 bis 15 Ziffern, vorne ein + erlaubt. '
        "Bitte tippen Sie sie noch einmal, oder Überspringen."
    ),
    "contact_saved": "Gespeichert: {contact}\n/contact ändert, /mydata zeigt, /forget löscht sie.",
    "contact_line": "{name}, {email}{phone}",
    "contact_phone": ", {phone}",
    "contact_none": "keine",
    # -- Buchen
    "book_requested": "Ich buche {time} bei {office} für Sie…",
    "book_active": (
        "Sie haben schon eine Buchung für diese Leistung (siehe /bookings). Sagen Sie sie dort ab, bevor Sie einen "
        "anderen Termin buchen."
    ),
    "book_not_yours": "Dieser Termin lässt sich von hier aus nicht buchen.",
    "book_gone": "Dieser Termin ist nicht mehr frei.",
    "book_no_contact": "Ich brauche zuerst Ihren Namen und Ihre E-Mail-Adresse: /contact.",
    "booked": (
        "Für Sie reserviert: {service}\n{office}\n{time}\n\n"
        "Die Stadt hat eine E-Mail an {email} geschickt. Klicken Sie {within} auf den Link darin, sonst verfällt die "
        "Reservierung."
    ),
    "within_minutes": "innerhalb von {minutes} Minuten",
    "within_soon": "bald",
    "book_failed": "Ich konnte {time} bei {office} nicht buchen: {reason} Es wurde nichts gebucht.",
    "booking_confirmed": "Bestätigt: {service}\n{office}\n{time}",
    "booking_expired": (
        "{service} bei {office}, {time}, ist nicht mehr reserviert: Der Link in der E-Mail der Stadt wurde nicht "
        "rechtzeitig geklickt (oder der Termin wurde bei der Stadt abgesagt)."
    ),
    "booking_cancelled": "Abgesagt: {service}\n{office}\n{time}",
    "cancel_failed": (
        "Ich konnte {time} bei {office} nicht absagen: {reason} In /bookings können Sie es erneut versuchen."
    ),
    "reason_tooManyAppointmentsWithSameMail": (
        "Die Stadt erlaubt an diesem Standort nur wenige Termine pro E-Mail-Adresse, und {email} hat sie schon."
    ),
    "reason_slotGone": (
        "Der Termin war vergeben, bevor ich ihn buchen konnte, und an dem Tag war kein anderer passender frei."
    ),
    "reason_appointmentNotAvailable": "Der Termin war vergeben, bevor ich ihn buchen konnte.",
    "reason_invalidEmail": "Das Portal nimmt Ihre E-Mail-Adresse nicht an (/contact ändert sie).",
    "reason_invalidFamilyName": "Das Portal nimmt Ihren Namen nicht an (/contact ändert ihn).",
    "reason_invalidTelephone": "Das Portal nimmt Ihre Telefonnummer nicht an (/contact ändert sie).",
    "reason_emailIsRequired": "Das Portal braucht eine E-Mail-Adresse (/contact).",
    "reason_noContact": "Ihre Kontaktdaten fehlen (/contact).",
    "reason_portalBusy": "Das Portal ist gerade ausgelastet; bitte versuchen Sie es in einer Minute noch einmal.",
    "reason_portalUnavailable": "Das Portal der Stadt hat nicht geantwortet.",
    "reason_portalDown": "Das Portal der Stadt ist ausgefallen.",
    "reason_portalBlocked": "Das Portal der Stadt hat die Anfrage abgelehnt.",
    "reason_portalChanged": "Das Portal der Stadt hat unerwartet geantwortet.",
    "reason_rateLimitExceeded": (
        "Das Portal ist gerade ausgelastet; bitte versuchen Sie es in einer Minute noch einmal."
    ),
    "reason_interrupted": "Die Buchung wurde unterbrochen.",
    "reason_appointmentCanNotBeCanceled": "Das Portal lässt keine Absage mehr zu.",
    "reason_other": "Das Portal antwortete {code}.",
    "bookings_empty": "Sie haben keine Buchungen. Tippen Sie unter einer Meldung auf einen Buchen-Knopf.",
    "bookings_header": "Ihre Buchungen:",
    "booking_item": "{service}\n{office}\n{time}\n{status}",
    "status_requested": "wird gebucht…",
    "status_booking": "wird gebucht…",
    "status_reserved": "reserviert",
    "status_preconfirmed": "reserviert; bitte klicken Sie auf den Link in der E-Mail der Stadt an {email}",
    "status_confirmed": "bestätigt",
    "status_expired": "verfallen: nicht rechtzeitig aktiviert",
    "status_cancelling": "wird abgesagt…",
    "status_cancelled": "abgesagt",
    "status_failed": "nicht gebucht: {reason}",
    "cancel_booking_button": "Termin absagen",
    "cancelling": "Wird abgesagt…",
    "no_such_booking": "Diese Buchung lässt sich nicht (mehr) absagen.",
    # -- automatisch buchen
    "auto_button": "Automatisch buchen",
    "state_auto": "\nBucht den ersten passenden Termin automatisch",
    "auto_on": "Ich buche den ersten passenden Termin automatisch.",
    "auto_off": "Kein automatisches Buchen mehr.",
    "auto_needs_contact": "Zum automatischen Buchen brauche ich zuerst Ihren Namen und Ihre E-Mail-Adresse: /contact.",
    # -- Schutz und falsche Eingaben
    "not_allowed": "Dieser Bot ist leider nicht öffentlich.",
    "slow_down": "Das ist gerade sehr viel auf einmal. Bitte warten Sie eine Minute und versuchen Sie es dann erneut.",
    "unknown_command": "Diesen Befehl kenne ich nicht. /help zeigt, was ich kann.",
    "unexpected_text": "Das habe ich nicht verstanden. /help zeigt, was ich kann.",
    "stale_button": "Dieser Knopf ist nicht mehr aktiv.",
    "error": "Bei mir ist etwas schiefgegangen. Bitte versuchen Sie es gleich noch einmal.",
}

/* DOM helpers and the pattern-library pieces the booking page is built from (buttons, callouts, stepper,
 * spinner, checkboxes, icons), with the markup conventions of the city's components: disabled buttons carry
 * aria-disabled="true" and the class "disabled", never the disabled attribute. */

const SVG = "http://www.w3.org/2000/svg";

/** Create an element: ``attrs`` values false/null/undefined are left out, functions under "on…" become listeners. */
export function h(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replace the children of ``node``. */
export function fill(node, ...children) {
  node.replaceChildren();
  append(node, children);
  return node;
}

export function icon(name, className = "icon") {
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("class", className);
  const use = document.createElementNS(SVG, "use");
  use.setAttribute("href", `#icon-${name}`);
  svg.append(use);
  return svg;
}

// Simple line icons of our own, referenced by <use href="#icon-…"> like the city's sprite.
const ICONS = {
  "arrow-right": "M4 12h15M13 6l6 6-6 6",
  "arrow-left": "M20 12H5M11 6l-6 6 6 6",
  "chevron-left": "M15 5l-7 7 7 7",
  "chevron-right": "M9 5l7 7-7 7",
  check: "M4 12.5l5 5L20 6.5",
  close: "M6 6l12 12M18 6L6 18",
  plus: "M12 5v14M5 12h14",
  minus: "M5 12h14",
  "shopping-cart": "M3 4h2.5l2.2 10.5h10.6L20.5 7H7M9.5 19.5a1 1 0 100 .1M17 19.5a1 1 0 100 .1",
  calendar: "M4 6h16v14H4zM4 10h16M8 3v5M16 3v5",
  mail: "M3 6h18v12H3zM3 7l9 6 9-6",
  information: "M12 3a9 9 0 110 18 9 9 0 010-18zM12 11v6M12 7.5v.5",
  warning: "M12 3l10 18H2zM12 10v5M12 17.5v.5",
  "map-pin": "M12 21s-7-6.2-7-11.5a7 7 0 0114 0C19 14.8 12 21 12 21zM12 7a2.5 2.5 0 110 5 2.5 2.5 0 010-5z",
  place: "M12 21s-7-6.2-7-11.5a7 7 0 0114 0C19 14.8 12 21 12 21zM12 7a2.5 2.5 0 110 5 2.5 2.5 0 010-5z",
  clock: "M12 3a9 9 0 110 18 9 9 0 010-18zM12 7v5l3.5 2",
  download: "M12 4v11M7 10l5 5 5-5M5 20h14",
};

/** The hidden sprite of symbols the icons point at; it lives in the same shadow root as the icons. */
export function iconSprite() {
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("style", "display:none");
  for (const [name, path] of Object.entries(ICONS)) {
    const symbol = document.createElementNS(SVG, "symbol");
    symbol.setAttribute("id", `icon-${name}`);
    symbol.setAttribute("viewBox", "0 0 24 24");
    const shape = document.createElementNS(SVG, "path");
    shape.setAttribute("d", path);
    shape.setAttribute("fill", "none");
    shape.setAttribute("stroke", "currentColor");
    shape.setAttribute("stroke-width", "2");
    shape.setAttribute("stroke-linecap", "round");
    shape.setAttribute("stroke-linejoin", "round");
    symbol.append(shape);
    svg.append(symbol);
  }
  return svg;
}

/** A pattern-library button: ``variant`` primary/secondary/ghost; a disabled one ignores clicks. */
export function mucButton({ variant = "primary", disabled = false, icon: iconName, iconLeft = false, onClick, attrs = {} }, ...label) {
  const classes = ["m-button", `m-button--${variant}`];
  if (attrs.class) classes.push(attrs.class);
  if (disabled) classes.push("disabled");
  const button = h("button", { ...attrs, class: classes.join(" "), "aria-disabled": disabled ? "true" : "false" });
  const iconClass = `m-button__icon ${iconLeft ? "m-button__icon--before" : "m-button__icon--after"}`;
  const svg = iconName ? icon(iconName, iconClass) : null;
  button.append(h("span", {}, iconLeft ? [svg, label] : [label, svg]));
  button.addEventListener("click", (event) => {
    if (button.getAttribute("aria-disabled") !== "true" && onClick) onClick(event);
  });
  return button;
}

export function setButtonDisabled(button, disabled) {
  button.setAttribute("aria-disabled", disabled ? "true" : "false");
  button.classList.toggle("disabled", disabled);
}

const CALLOUT = {
  error: ["m-callout--error", "warning", "Error"],
  warning: ["m-callout--warning", "warning", "Warnung"],
  success: ["m-callout--success", "check", "Erfolgreich"],
  info: ["m-callout--default", "information", "Information"],
};

/** A callout box: ``header`` goes into its headline, ``content`` into its paragraph. */
export function mucCallout(type, header, content, buttons) {
  const [modifier, iconName, label] = CALLOUT[type] || CALLOUT.info;
  return h(
    "div",
    { class: `m-callout ${modifier}`, "aria-label": label },
    h(
      "div",
      { class: "m-callout__inner" },
      h("div", { class: "m-callout__icon" }, icon(iconName)),
      h(
        "div",
        { class: "m-callout__body" },
        h(
          "div",
          { class: "m-callout__body__inner" },
          h("h2", { class: "m-callout__headline" }, header),
          h("div", { class: "m-callout__content" }, h("p", {}, content), buttons),
        ),
      ),
    ),
  );
}

/** The spinner box shown while times are searched. */
export function mucSpinner(text) {
  return h(
    "div",
    { class: "m-spinner-container" },
    h("div", { class: "m-spinner", role: "status", "aria-live": "polite" }, h("span", { class: "m-spinner__circle", "aria-hidden": "true" }), h("span", { class: "m-spinner__text" }, text)),
  );
}

/** The four-step progress bar; done steps can be clicked unless ``disablePrevious``. */
export function mucStepper(items, activeId, { disablePrevious = false, onChange } = {}) {
  const activeIndex = items.findIndex((item) => item.id === activeId);
  const steps = items.map((item, index) => {
    const active = index === activeIndex;
    const done = index < activeIndex;
    const disabled = disablePrevious && done;
    const li = h(
      "li",
      { class: ["m-form-step", active ? "m-form-step--current" : "", done && !disabled ? "show-cursor" : ""].join(" ").trim() },
      h(
        "div",
        {
          class: `m-form-step__icon${disabled ? " disabled" : ""}`,
          tabindex: active || (done && !disabled) ? "0" : "-1",
          "aria-label": (active ? "Aktueller Schritt: " : "Zurück zu Schritt: ") + item.label,
          "aria-current": active ? "step" : null,
        },
        icon(done ? "check" : item.icon),
      ),
      h("div", { class: `m-form-step__title${disabled ? " disabled" : ""}` }, h("span", { "aria-disabled": "true" }, item.label)),
    );
    if (done && !disabled && onChange) li.addEventListener("click", () => onChange(item.id));
    return li;
  });
  return h(
    "div",
    { class: "m-component m-component-form-progress" },
    h("div", { class: "container" }, h("div", { class: "m-component__grid" }, h("div", { class: "m-component__column" }, h("ol", { class: "m-form-steps" }, steps)))),
  );
}

/** A labelled checkbox of the pattern library (input id "checkbox-<id>"). */
export function mucCheckbox({ id, label, hint, checked, onToggle }) {
  const input = h("input", { id: `checkbox-${id}`, class: "m-checkboxes__input", name: "checkbox", type: "checkbox" });
  input.checked = !!checked;
  input.addEventListener("change", () => onToggle(input.checked));
  return h(
    "div",
    { class: "m-checkboxes__item" },
    input,
    h("label", { class: "m-label m-checkboxes__label", for: `checkbox-${id}` }, `${label} `, h("span", { id: `checkbox-hint-${id}`, class: "m-hint" }, hint)),
  );
}

/** The usual wrapper of the page's sections. */
export function section(...children) {
  return h("div", { class: "m-component" }, children);
}

// Small accessible widgets shared by the page: menus, toasts, the confirm
// dialog and the focus trap used by every dialog.

import { el } from "./blockkit.js";
import { renderText, renderPlain } from "./mrkdwn.js";

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

export function focusables(root) {
  return [...root.querySelectorAll(FOCUSABLE)].filter((n) => !n.closest("[hidden]") && n.getClientRects().length > 0);
}

/** A selector finding the "same" control after its view is re-rendered. */
export function focusKeyOf(node) {
  const d = node?.dataset || {};
  if (d.actionId) return `[data-action-id="${CSS.escape(d.actionId)}"][data-block-id="${CSS.escape(d.blockId || "")}"]`;
  if (d.testid) return `[data-testid="${CSS.escape(d.testid)}"]`;
  return null;
}

/** Keeps Tab and Shift+Tab inside `root`. */
export function trapFocus(root) {
  root.addEventListener("keydown", (ev) => {
    if (ev.key !== "Tab") return;
    const items = focusables(root);
    if (!items.length) return;
    const first = items[0];
    const last = items[items.length - 1];
    if (ev.shiftKey && (document.activeElement === first || !root.contains(document.activeElement))) {
      ev.preventDefault();
      last.focus();
    } else if (!ev.shiftKey && document.activeElement === last) {
      ev.preventDefault();
      first.focus();
    }
  });
}

// ------------------------------------------------------------------ menus

let openMenu = null;

export function closeMenu(restoreFocus = true) {
  if (!openMenu) return;
  const { node, anchor } = openMenu;
  openMenu = null;
  node.remove();
  anchor.setAttribute("aria-expanded", "false");
  if (restoreFocus && document.contains(anchor)) anchor.focus();
}

/**
 * Opens a menu under `anchor`. Items: {label, detail?, badge?, checked?,
 * testid?, run(), disabled?} or {heading}. Arrow keys move, Enter/Space
 * run, Esc closes and returns focus to the anchor.
 */
export function showMenu(anchor, items, { label, className = "", testid, align = "left" } = {}) {
  const wasOpen = openMenu?.anchor === anchor;
  closeMenu(false);
  if (wasOpen) return null;
  const menu = el("div", { class: `menu ${className}`, role: "menu", "aria-label": label || anchor.getAttribute("aria-label") || anchor.textContent, "data-testid": testid });
  const buttons = [];
  for (const item of items) {
    if (item.heading) {
      menu.append(el("div", { class: "menu-heading", role: "presentation", text: item.heading }));
      continue;
    }
    const b = el("button", {
      type: "button",
      class: "menu-item",
      role: item.checked === undefined ? "menuitem" : "menuitemradio",
      "aria-checked": item.checked === undefined ? undefined : String(!!item.checked),
      "data-testid": item.testid,
      "aria-label": item.ariaLabel,
      title: item.title,
      disabled: item.disabled,
      tabindex: "-1",
    });
    if (item.icon) b.append(el("span", { class: "menu-icon", "aria-hidden": "true", text: item.icon }));
    const main = el("span", { class: "menu-main" }, el("span", { class: "menu-label", text: item.label }));
    if (item.detail) main.append(el("span", { class: "menu-detail", text: item.detail }));
    b.append(main);
    if (item.badge) b.append(el("span", { class: `badge badge-${item.badge}`, text: item.badge }));
    b.addEventListener("click", () => {
      closeMenu(true);
      item.run?.();
    });
    buttons.push(b);
    menu.append(b);
  }
  menu.addEventListener("keydown", (ev) => {
    const i = buttons.indexOf(document.activeElement);
    if (ev.key === "ArrowDown" || ev.key === "ArrowRight") { ev.preventDefault(); buttons[(i + 1) % buttons.length]?.focus(); }
    else if (ev.key === "ArrowUp" || ev.key === "ArrowLeft") { ev.preventDefault(); buttons[(i - 1 + buttons.length) % buttons.length]?.focus(); }
    else if (ev.key === "Home") { ev.preventDefault(); buttons[0]?.focus(); }
    else if (ev.key === "End") { ev.preventDefault(); buttons[buttons.length - 1]?.focus(); }
    else if (ev.key === "Escape") { ev.preventDefault(); ev.stopPropagation(); closeMenu(true); }
    else if (ev.key === "Tab") { closeMenu(false); }
  });
  // The menu lives beside its anchor: in the same landmark, and in the same
  // top layer when the anchor is in a dialog, so it stays reachable.
  const host = anchor.closest("dialog, header, nav, main, aside") || document.body;
  host.append(menu);
  anchor.scrollIntoView({ block: "nearest" });
  const r = anchor.getBoundingClientRect();
  menu.style.position = "fixed";
  const mw = menu.offsetWidth;
  const mh = menu.offsetHeight;
  let left = align === "right" ? r.right - mw : r.left;
  left = Math.max(8, Math.min(left, window.innerWidth - mw - 8));
  let top = r.bottom + 4;
  if (top + mh > window.innerHeight - 8) top = r.top - mh - 4;
  top = Math.max(8, Math.min(top, window.innerHeight - mh - 8));
  menu.style.left = `${left}px`;
  menu.style.top = `${top}px`;
  anchor.setAttribute("aria-expanded", "true");
  openMenu = { node: menu, anchor };
  (buttons.find((b) => b.getAttribute("aria-checked") === "true") || buttons[0])?.focus();
  return menu;
}

document.addEventListener("mousedown", (ev) => {
  if (openMenu && !openMenu.node.contains(ev.target) && !openMenu.anchor.contains(ev.target)) closeMenu(false);
});

// ----------------------------------------------------------------- toasts

export function toast(text, kind = "info") {
  const region = document.getElementById("toasts");
  // The same news from two sources (an answer and a stream notice) shows once.
  if ([...region.querySelectorAll(".toast-text")].some((t) => t.textContent === text)) return null;
  while (region.childElementCount >= 4) region.firstElementChild.remove();
  // The container is the polite live region; errors interrupt as alerts.
  const t = el("div", { class: `toast toast-${kind}`, role: kind === "error" ? "alert" : undefined, "data-testid": "toast" },
    el("span", { class: "toast-text", text }),
    el("button", { type: "button", class: "toast-x", "aria-label": "Dismiss notification", text: "×", onclick: () => t.remove() }));
  region.append(t);
  setTimeout(() => t.remove(), kind === "error" ? 12000 : 8000);
  return t;
}

// ---------------------------------------------------------- confirm dialog

/** Slack's confirm object as a real modal dialog; resolves to a boolean. */
export function confirmDialog(confirm, ctx = {}) {
  return new Promise((resolve) => {
    const opener = document.activeElement;
    const titleId = "confirm-title";
    const textId = "confirm-text";
    const dlg = el("dialog", { class: "confirm", role: "alertdialog", "aria-labelledby": titleId, "aria-describedby": textId, "data-testid": "confirm-dialog" });
    const done = (answer) => {
      dlg.close();
      dlg.remove();
      if (opener && document.contains(opener)) opener.focus();
      resolve(answer);
    };
    const yes = el("button", { type: "button", class: `btn ${confirm.style === "danger" ? "btn-danger" : "btn-primary"}`, "data-testid": "confirm-yes", onclick: () => done(true) },
      renderPlain(confirm.confirm || { text: "Yes" }, el("span")));
    const no = el("button", { type: "button", class: "btn", "data-testid": "confirm-no", onclick: () => done(false) },
      renderPlain(confirm.deny || { text: "Cancel" }, el("span")));
    dlg.append(
      renderPlain(confirm.title || { text: "Are you sure?" }, el("h2", { id: titleId, class: "confirm-title" })),
      renderText(confirm.text || { type: "plain_text", text: "" }, el("div", { id: textId, class: "confirm-text" }), ctx),
      el("div", { class: "confirm-actions" }, no, yes),
    );
    dlg.addEventListener("cancel", (ev) => { ev.preventDefault(); done(false); });
    trapFocus(dlg);
    document.body.append(dlg);
    dlg.showModal();
    no.focus();
  });
}

// Modals as Slack shows them: one dialog showing the top of a view stack,
// title, close and submit buttons, input validation and returned errors.

import { el, renderBlocks, setBlockError, stateValues } from "./blockkit.js";
import { renderPlain, textOf } from "./mrkdwn.js";
import { trapFocus, focusables, closeMenu, focusKeyOf } from "./ui.js";

/**
 * `host` callbacks: ctxFor(viewRecord) → Block Kit context (without
 * registry), submit(viewId, values) → server answer, close(viewId).
 */
export class ModalHost {
  constructor(host) {
    this.host = host;
    this.stack = []; // [{record, registry, body}]
    this.opener = null;
    this.dialog = el("dialog", { class: "modal", "aria-labelledby": "modal-title", "data-testid": "modal" });
    this.dialog.addEventListener("cancel", (ev) => {
      ev.preventDefault();
      this.dismissAll();
    });
    trapFocus(this.dialog);
    document.body.append(this.dialog);
  }

  get top() {
    return this.stack[this.stack.length - 1] || null;
  }

  has(id) {
    return this.stack.some((s) => s.record.id === id);
  }

  /** A view_open: shown on top (a push keeps the ones below). */
  open(record) {
    if (this.has(record.id)) return this.update(record);
    if (!this.dialog.open) {
      this.opener = document.activeElement;
      this.openerKey = focusKeyOf(this.opener);
      this.stack = [];
    }
    // A view opened at stack 0 replaces whatever was shown.
    if (!record.stack) this.stack = [];
    this.stack.push(this.build(record));
    this.show(true);
  }

  /** A view_update: replaced in place, keeping what the user entered. */
  update(record) {
    const i = this.stack.findIndex((s) => s.record.id === record.id);
    if (i < 0) return false;
    const old = this.stack[i];
    // Only the errors changed (a response_action "errors"): keep the form
    // as it is, with what the user typed and where the cursor was.
    if (JSON.stringify(old.record.view) === JSON.stringify(record.view)) {
      old.record = record;
      if (i === this.stack.length - 1) {
        this.clearErrors();
        if (record.errors) this.showErrors(record.errors);
      }
      return true;
    }
    const kept = new Map([...old.registry].map(([k, v]) => [k, v.get()]));
    const fresh = this.build(record);
    for (const [k, v] of kept) fresh.registry.get(k)?.restore(v);
    this.stack[i] = fresh;
    if (i === this.stack.length - 1) {
      // As in Slack, an updated view stays where it was: same scroll
      // position, focus on the same control.
      const focusKey = this.dialog.contains(document.activeElement) ? focusKeyOf(document.activeElement) : null;
      const scroll = this.dialog.querySelector(".modal-body")?.scrollTop || 0;
      this.show(false);
      const body = this.dialog.querySelector(".modal-body");
      if (body) body.scrollTop = scroll;
      const target = (focusKey && this.dialog.querySelector(focusKey)) || focusables(fresh.body)[0] ||
        this.dialog.querySelector(".modal-footer button:last-child");
      target?.focus({ preventScroll: true });
    }
    if (record.errors) this.showErrors(record.errors);
    return true;
  }

  /** A view_close (or a local close): removes that view. */
  closeView(id) {
    const i = this.stack.findIndex((s) => s.record.id === id);
    if (i < 0) return;
    this.stack.splice(i, 1);
    if (this.stack.length) this.show(true);
    else this.hide();
  }

  closeAllLocal() {
    this.stack = [];
    this.hide();
  }

  hide() {
    closeMenu(false);
    if (this.dialog.open) this.dialog.close();
    this.dialog.replaceChildren();
    // Focus goes back where it was: the opener, or the same control if
    // the bot re-rendered its message meanwhile, or the composer.
    const back = this.opener;
    this.opener = null;
    const again = this.openerKey && document.querySelector(`.pane ${this.openerKey}, .thread ${this.openerKey}`);
    const target = back && document.contains(back) && back !== document.body ? back : again || document.getElementById("composer-input");
    target?.focus();
  }

  build(record) {
    const registry = new Map();
    const ctx = { ...this.host.ctxFor(record), registry, surface: "modal", headingLevel: 3 };
    const body = renderBlocks(record.view?.blocks || [], ctx);
    return { record, registry, body };
  }

  show(moveFocus) {
    const entry = this.top;
    const v = entry.record.view || {};
    const title = renderPlain(v.title || { type: "plain_text", text: "" }, el("h2", { id: "modal-title", class: "modal-title", "data-testid": "modal-title" }));
    const header = el("div", { class: "modal-header" });
    if (this.stack.length > 1) {
      header.append(el("button", { type: "button", class: "icon-btn modal-back", "aria-label": "Back", "data-testid": "modal-back", text: "‹", onclick: () => this.dismissTop() }));
    }
    header.append(title,
      el("button", { type: "button", class: "icon-btn modal-x", "aria-label": "Close", "data-testid": "modal-x", text: "×", onclick: () => this.dismissAll() }));
    const footer = el("div", { class: "modal-footer" });
    const closeText = v.close ? textOf(v.close) : v.submit ? "Cancel" : "Close";
    footer.append(el("button", { type: "button", class: "btn", "data-testid": "modal-close", text: closeText, onclick: () => this.dismissTop() }));
    if (v.submit) {
      const submit = el("button", { type: "submit", class: "btn btn-primary", "data-testid": "modal-submit", text: textOf(v.submit) });
      footer.append(submit);
    }
    const form = el("form", { class: "modal-form", novalidate: true, "data-view-id": entry.record.id },
      el("div", { class: "modal-body" }, entry.body), footer);
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      this.submit();
    });
    // Enter in a single-line input submits, as in Slack.
    this.dialog.replaceChildren(header, form);
    this.dialog.dataset.viewId = entry.record.id;
    if (!this.dialog.open) this.dialog.showModal();
    if (entry.record.errors) this.showErrors(entry.record.errors);
    if (moveFocus) {
      // Into the first field, as Slack does; else the first control.
      const items = focusables(entry.body);
      const first = items.find((n) => n.matches("input, textarea, select")) || items[0] ||
        this.dialog.querySelector(".modal-footer button:last-child");
      first?.focus();
    }
  }

  showErrors(errors) {
    const body = this.top?.body;
    if (!body) return;
    let first = null;
    for (const [blockId, message] of Object.entries(errors || {})) {
      if (setBlockError(body, blockId, message) && !first) first = blockId;
    }
    if (first) {
      const block = [...body.querySelectorAll(".bk-input")].find((b) => b.dataset.blockId === first);
      block?.querySelector("input, textarea, select")?.focus();
    }
  }

  clearErrors() {
    this.top?.body.querySelectorAll(".bk-input.has-error").forEach((b) => setBlockError(this.top.body, b.dataset.blockId, null));
  }

  /** Slack's own checks before anything is sent: required and lengths. */
  validate() {
    const entry = this.top;
    const errors = {};
    for (const input of entry.body.querySelectorAll(".bk-input")) {
      const blockId = input.dataset.blockId;
      const reg = [...entry.registry.values()].find((r) => r.blockId === blockId);
      if (!reg) continue;
      const optional = !!input.querySelector(".bk-optional");
      if (!optional && reg.empty()) errors[blockId] = "Please complete this required field.";
      else if (reg.validate) {
        const msg = reg.validate();
        if (msg) errors[blockId] = msg;
      }
    }
    return Object.keys(errors).length ? errors : null;
  }

  values() {
    return this.top ? stateValues(this.top.registry) : {};
  }

  async submit() {
    const entry = this.top;
    if (!entry) return;
    this.clearErrors();
    const local = this.validate();
    if (local) return this.showErrors(local);
    // Not `disabled`: that would drop the keyboard focus. A second press
    // while the first is on its way is ignored instead.
    if (this.submitting) return;
    this.submitting = true;
    const button = this.dialog.querySelector('[data-testid="modal-submit"]');
    button?.setAttribute("aria-busy", "true");
    try {
      const answer = await this.host.submit(entry.record.id, this.values());
      if (!answer) return;
      if (answer.response_action === "errors" || answer.errors) {
        this.showErrors(answer.errors || {});
      } else if (!answer.response_action || answer.response_action === "clear") {
        // The server closes it too and streams view_close; closing here
        // keeps the page right even if that event is late.
        if (answer.response_action === "clear") this.closeAllLocal();
        else this.closeView(entry.record.id);
      }
    } finally {
      this.submitting = false;
      this.dialog.querySelector('[data-testid="modal-submit"]')?.removeAttribute("aria-busy");
    }
  }

  /** The close button: closes this view (a pushed one goes back). */
  dismissTop() {
    const entry = this.top;
    if (!entry) return;
    this.host.close(entry.record.id);
    this.closeView(entry.record.id);
  }

  /** The × and Esc: close the whole stack. */
  dismissAll() {
    const ids = this.stack.map((s) => s.record.id).reverse();
    ids.forEach((id) => this.host.close(id));
    this.closeAllLocal();
  }
}

// Block Kit rendered as DOM, faithful to what Slack shows.
//
// `renderBlocks(blocks, ctx)` returns an element. The context supplies:
//   person(id), channel(id), people(), channels()  directory look-ups
//   surface              "message" | "modal" | "home"
//   act(action)          sends one block action (Slack's element shape)
//   confirm(obj)         resolves true when a confirm dialog is accepted
//   registry             a Map collecting stateful elements (views only)
//   menu(anchor, items)  opens a small menu (overflow)
// Message text never goes through innerHTML: every node is built here.

import { renderText, renderPlain, renderMrkdwn, textOf, emojiFor } from "./mrkdwn.js";

let uid = 0;
const nextId = (p) => `${p}-${++uid}`;

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else if (k === "dataset") Object.assign(node.dataset, v);
    else node.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children) if (c !== null && c !== undefined) node.append(c);
  return node;
}

const SAFE_URL = /^(https?:\/\/|mailto:)/i;
const clone = (o) => (o === undefined ? undefined : JSON.parse(JSON.stringify(o)));
const actionTs = () => (Date.now() / 1000).toFixed(6);

/** Slack assigns ids to blocks and elements sent without one. */
function blockIdOf(block, index) {
  return block.block_id || `bk${index}`;
}
function actionIdOf(element, index) {
  return element.action_id || `ac${index}`;
}

function stripUndefined(o) {
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
  return o;
}

export function renderBlocks(blocks, ctx) {
  const root = el("div", { class: "bk" });
  (blocks || []).forEach((block, i) => {
    const node = renderBlock(block, i, ctx);
    if (node) root.append(node);
  });
  return root;
}

function renderBlock(block, index, ctx) {
  const blockId = blockIdOf(block, index);
  const wrap = (cls, ...kids) =>
    el("div", { class: `bk-block ${cls}`, dataset: { blockId, blockType: block.type } }, ...kids);
  switch (block.type) {
    case "header":
      return wrap("bk-header", renderPlain(block.text, el("div", { role: "heading", "aria-level": String(ctx.headingLevel || 2) })));
    case "divider":
      return wrap("bk-divider", el("hr"));
    case "section":
      return renderSection(block, blockId, ctx, wrap);
    case "context": {
      const row = wrap("bk-context");
      (block.elements || []).forEach((e) => {
        if (e.type === "image") row.append(image(e, "bk-context-img"));
        else row.append(renderText(e, el("span", { class: "bk-context-text" }), ctx));
      });
      return row;
    }
    case "actions": {
      const row = wrap("bk-actions");
      (block.elements || []).forEach((e, j) => {
        row.append(renderElement(e, j, blockId, ctx, { dispatch: true, label: null }));
      });
      return row;
    }
    case "image": {
      const fig = wrap("bk-image");
      if (block.title) fig.append(renderPlain(block.title, el("div", { class: "bk-image-title" })));
      fig.append(image(block, "bk-image-img"));
      return fig;
    }
    case "input":
      return renderInput(block, blockId, ctx, wrap);
    case "rich_text":
      return wrap("bk-rich", ...(block.elements || []).map((e) => richElement(e, ctx)));
    default:
      return wrap("bk-unsupported", el("span", { text: `[${block.type} block]` }));
  }
}

function renderSection(block, blockId, ctx, wrap) {
  const body = el("div", { class: "bk-section-body" });
  if (block.text) body.append(renderText(block.text, el("div", { class: "bk-text" }), ctx));
  if (block.fields?.length) {
    const grid = el("div", { class: "bk-fields" });
    block.fields.forEach((f) => grid.append(renderText(f, el("div", { class: "bk-field" }), ctx)));
    body.append(grid);
  }
  const node = wrap("bk-section", body);
  if (block.accessory) {
    const label = block.text ? textOf(block.text).slice(0, 120) : null;
    const acc = el("div", { class: "bk-accessory" });
    acc.append(
      block.accessory.type === "image"
        ? image(block.accessory, "bk-accessory-img")
        : renderElement(block.accessory, 0, blockId, ctx, { dispatch: true, label })
    );
    node.append(acc);
  }
  return node;
}

function image(obj, cls) {
  const alt = obj.alt_text || "";
  const url = obj.image_url || obj.slack_file?.url || "";
  const fallback = () => el("span", { class: `${cls} bk-img-missing`, role: "img", "aria-label": alt, text: alt || "image" });
  if (!SAFE_URL.test(url)) return fallback();
  const img = el("img", { class: cls, src: url, alt, loading: "lazy", referrerpolicy: "no-referrer" });
  img.addEventListener("error", () => img.replaceWith(fallback()));
  return img;
}

// ----------------------------------------------------------- input blocks

function renderInput(block, blockId, ctx, wrap) {
  const element = block.element || {};
  const inputId = nextId("in");
  const hintId = nextId("hint");
  const errId = nextId("err");
  // Radio buttons and checkboxes are a group named by the label; only
  // single controls get a <label for>.
  const isGroup = ["radio_buttons", "checkboxes"].includes(element.type);
  const label = el(
    isGroup ? "div" : "label",
    { class: "bk-input-label", for: isGroup ? undefined : inputId, id: `${inputId}-label` },
    renderPlain(block.label, el("span")),
  );
  if (block.optional) label.append(el("span", { class: "bk-optional", text: " (optional)" }));
  const node = wrap("bk-input");
  node.append(label);
  const control = renderElement(element, 0, blockId, ctx, {
    dispatch: !!block.dispatch_action,
    label: textOf(block.label),
    inputId,
    labelledBy: `${inputId}-label`,
    describedBy: `${block.hint ? hintId + " " : ""}${errId}`,
    inInput: true,
    optional: !!block.optional,
  });
  node.append(control);
  if (block.hint) node.append(renderPlain(block.hint, el("div", { class: "bk-hint", id: hintId })));
  node.append(
    el("div", { class: "bk-error", id: errId, role: "alert", hidden: true, "data-testid": `input-error-${blockId}` }),
  );
  return node;
}

/** Shows (or clears) Slack's red message under an input block. */
export function setBlockError(root, blockId, message) {
  const block = [...root.querySelectorAll(".bk-input")].find((b) => b.dataset.blockId === blockId);
  if (!block) return false;
  const err = block.querySelector(".bk-error");
  err.textContent = message || "";
  err.hidden = !message;
  block.classList.toggle("has-error", !!message);
  block.querySelectorAll("input, textarea, select").forEach((c) => {
    if (message) c.setAttribute("aria-invalid", "true");
    else c.removeAttribute("aria-invalid");
  });
  return true;
}

// --------------------------------------------------------------- elements

function register(ctx, entry) {
  if (ctx.registry) ctx.registry.set(`${entry.blockId}\u0000${entry.actionId}`, entry);
}

async function fire(ctx, action, node) {
  if (!ctx.act) return;
  node?.setAttribute("aria-busy", "true");
  try {
    await ctx.act(stripUndefined({ ...action, action_ts: actionTs() }));
  } finally {
    node?.removeAttribute("aria-busy");
  }
}

function optionByValue(options, value) {
  return options.find((o) => o.value === value);
}

function allOptions(e) {
  if (e.option_groups) return e.option_groups.flatMap((g) => g.options || []);
  return e.options || [];
}

/** What an unlabelled element (in an actions block) is called. */
const DEFAULT_LABELS = {
  datepicker: "Pick a date",
  timepicker: "Pick a time",
  static_select: "Select an option",
  external_select: "Select an option",
  multi_static_select: "Select options",
  users_select: "Select a person",
  conversations_select: "Select a conversation",
  channels_select: "Select a channel",
  plain_text_input: "Text",
};

function renderElement(e, index, blockId, ctx, opts) {
  const actionId = actionIdOf(e, index);
  // Test hooks: an input block's control is `input-<block_id>`; every
  // other element is `block-action-<action_id>`.
  const common = {
    dataset: { actionId, blockId, elementType: e.type },
    "data-testid": opts.inInput ? `input-${blockId}` : `block-action-${actionId}`,
  };
  const labelAttrs = () => ({
    id: opts.inputId,
    "aria-labelledby": opts.labelledBy,
    "aria-label": opts.labelledBy ? undefined : opts.label || (e.placeholder ? textOf(e.placeholder) : DEFAULT_LABELS[e.type] || "Choose"),
    "aria-describedby": opts.describedBy,
    "aria-required": opts.inInput && !opts.optional ? "true" : undefined,
  });
  const base = { type: e.type, action_id: actionId, block_id: blockId };

  switch (e.type) {
    case "button": {
      const cls = `bk-btn${e.style ? " bk-btn-" + e.style : ""}`;
      const label = renderPlain(e.text, el("span"));
      const click = async () => {
        if (e.confirm && !(await ctx.confirm(e.confirm))) return;
        if (e.url && SAFE_URL.test(e.url)) window.open(e.url, "_blank", "noopener,noreferrer");
        await fire(ctx, { ...base, text: clone(e.text), value: e.value, style: e.style }, btn);
      };
      const btn = el("button", {
        ...common, type: "button", class: cls, onclick: click,
        "aria-label": e.accessibility_label || undefined,
      }, label);
      if (e.url && SAFE_URL.test(e.url)) btn.append(el("span", { class: "bk-ext", "aria-hidden": "true", text: " ↗" }));
      return btn;
    }

    case "static_select":
    case "external_select": {
      const options = allOptions(e);
      const sel = el("select", { ...common, ...labelAttrs(), class: "bk-select" });
      const ph = el("option", { value: "", text: e.placeholder ? textOf(e.placeholder) : "Select an option" });
      sel.append(ph);
      const optNode = (o) => el("option", { value: o.value, text: textOf(o.text) });
      if (e.option_groups) {
        e.option_groups.forEach((g) => {
          const grp = el("optgroup", { label: textOf(g.label) });
          (g.options || []).forEach((o) => grp.append(optNode(o)));
          sel.append(grp);
        });
      } else options.forEach((o) => sel.append(optNode(o)));
      if (e.initial_option) sel.value = e.initial_option.value;
      const current = () => clone(optionByValue(options, sel.value)) || null;
      register(ctx, {
        blockId, actionId, node: sel,
        get: () => ({ type: e.type, selected_option: current() }),
        restore: (v) => { if (v.selected_option) sel.value = v.selected_option.value; },
        empty: () => !sel.value,
      });
      if (opts.dispatch) sel.addEventListener("change", () => current() && fire(ctx, { ...base, selected_option: current(), placeholder: clone(e.placeholder) }, sel));
      return wrapSelect(sel);
    }

    case "multi_static_select": {
      const options = allOptions(e);
      const sel = el("select", { ...common, ...labelAttrs(), class: "bk-select bk-multi", multiple: true, size: Math.min(6, options.length || 1) });
      options.forEach((o) => sel.append(el("option", { value: o.value, text: textOf(o.text) })));
      const initial = new Set((e.initial_options || []).map((o) => o.value));
      [...sel.options].forEach((o) => { o.selected = initial.has(o.value); });
      const current = () => [...sel.selectedOptions].map((o) => clone(optionByValue(options, o.value)));
      register(ctx, {
        blockId, actionId, node: sel,
        get: () => ({ type: e.type, selected_options: current() }),
        restore: (v) => { const s = new Set((v.selected_options || []).map((o) => o.value)); [...sel.options].forEach((o) => { o.selected = s.has(o.value); }); },
        empty: () => sel.selectedOptions.length === 0,
      });
      if (opts.dispatch) sel.addEventListener("change", () => fire(ctx, { ...base, selected_options: current() }, sel));
      return sel;
    }

    case "users_select":
    case "conversations_select":
    case "channels_select": {
      const isUsers = e.type === "users_select";
      const items = isUsers
        ? (ctx.people?.() || []).map((p) => ({ id: p.id, label: p.real_name || p.name }))
        : (ctx.channels?.() || [])
            .filter((c) => e.type === "conversations_select" || c.kind === "channel")
            .map((c) => ({ id: c.id, label: c.kind === "dm" ? c.name : `#${c.name}` }));
      const sel = el("select", { ...common, ...labelAttrs(), class: "bk-select" });
      sel.append(el("option", { value: "", text: e.placeholder ? textOf(e.placeholder) : isUsers ? "Select a person" : "Select a channel" }));
      items.forEach((it) => sel.append(el("option", { value: it.id, text: it.label })));
      const key = { users_select: "user", conversations_select: "conversation", channels_select: "channel" }[e.type];
      const initial = e[`initial_${key}`];
      if (initial) {
        if (![...sel.options].some((o) => o.value === initial)) sel.append(el("option", { value: initial, text: initial }));
        sel.value = initial;
      }
      const field = `selected_${key}`;
      register(ctx, {
        blockId, actionId, node: sel,
        get: () => ({ type: e.type, [field]: sel.value || null }),
        restore: (v) => { if (v[field]) sel.value = v[field]; },
        empty: () => !sel.value,
      });
      if (opts.dispatch) sel.addEventListener("change", () => sel.value && fire(ctx, { ...base, [field]: sel.value }, sel));
      return wrapSelect(sel);
    }

    case "multi_users_select":
    case "multi_conversations_select":
    case "multi_channels_select":
      return multiPicker(e, base, common, ctx, opts, blockId, actionId);

    case "datepicker":
    case "timepicker": {
      const isDate = e.type === "datepicker";
      const input = el("input", {
        ...common, ...labelAttrs(), class: "bk-date", type: isDate ? "date" : "time",
        value: (isDate ? e.initial_date : e.initial_time) || undefined,
      });
      const field = isDate ? "selected_date" : "selected_time";
      register(ctx, {
        blockId, actionId, node: input,
        get: () => ({ type: e.type, [field]: input.value || null }),
        restore: (v) => { if (v[field]) input.value = v[field]; },
        empty: () => !input.value,
      });
      if (opts.dispatch) input.addEventListener("change", () => input.value && fire(ctx, { ...base, [field]: input.value }, input));
      return input;
    }

    case "radio_buttons":
    case "checkboxes":
      return choiceGroup(e, base, common, ctx, opts, blockId, actionId);

    case "overflow": {
      const btn = el("button", {
        ...common, type: "button", class: "bk-overflow",
        "aria-label": opts.label ? `More options: ${opts.label}` : "More options",
        "aria-haspopup": "menu", text: "⋯",
      });
      btn.addEventListener("click", () => {
        ctx.menu?.(btn, (e.options || []).map((o) => ({
          label: textOf(o.text),
          run: async () => {
            if (e.confirm && !(await ctx.confirm(e.confirm))) return;
            if (o.url && SAFE_URL.test(o.url)) window.open(o.url, "_blank", "noopener,noreferrer");
            await fire(ctx, { ...base, selected_option: clone(o) }, btn);
          },
        })));
      });
      return btn;
    }

    case "plain_text_input":
    case "email_text_input":
    case "url_text_input":
    case "number_input": {
      const multi = e.type === "plain_text_input" && e.multiline;
      const inputType = { email_text_input: "email", url_text_input: "url", number_input: "text" }[e.type] || "text";
      const node = el(multi ? "textarea" : "input", {
        ...common, ...labelAttrs(), class: multi ? "bk-textarea" : "bk-text-input",
        type: multi ? undefined : inputType,
        inputmode: e.type === "number_input" ? (e.is_decimal_allowed ? "decimal" : "numeric") : undefined,
        placeholder: e.placeholder ? textOf(e.placeholder) : undefined,
        maxlength: e.max_length || undefined,
        rows: multi ? 4 : undefined,
      });
      node.value = e.initial_value ?? "";
      register(ctx, {
        blockId, actionId, node,
        get: () => ({ type: e.type, value: node.value === "" ? null : node.value }),
        restore: (v) => { node.value = v.value ?? ""; },
        empty: () => node.value.trim() === "",
        validate: () => {
          const n = [...node.value].length;
          if (n > 0 && e.min_length && n < e.min_length) return `Please enter at least ${e.min_length} characters.`;
          if (e.max_length && n > e.max_length) return `Please use at most ${e.max_length} characters.`;
          return null;
        },
      });
      if (opts.dispatch) {
        node.addEventListener("keydown", (ev) => {
          if (ev.key === "Enter" && !ev.shiftKey && !multi) {
            ev.preventDefault();
            fire(ctx, { ...base, value: node.value }, node);
          }
        });
      }
      return node;
    }

    case "image":
      return image(e, "bk-context-img");

    default:
      return el("span", { class: "bk-unsupported", text: `[${e.type}]` });
  }
}

function wrapSelect(sel) {
  return el("span", { class: "bk-select-wrap" }, sel);
}

function choiceGroup(e, base, common, ctx, opts, blockId, actionId) {
  const radio = e.type === "radio_buttons";
  const name = nextId("grp");
  const group = el("div", {
    ...common, class: "bk-choices", role: radio ? "radiogroup" : "group",
    id: opts.inputId, "aria-labelledby": opts.labelledBy,
    "aria-label": opts.labelledBy ? undefined : opts.label || undefined,
    "aria-describedby": opts.describedBy,
    "aria-required": radio && opts.inInput && !opts.optional ? "true" : undefined,
  });
  const options = e.options || [];
  const initial = new Set(
    radio ? (e.initial_option ? [e.initial_option.value] : []) : (e.initial_options || []).map((o) => o.value),
  );
  const boxes = options.map((o) => {
    const id = nextId("opt");
    const box = el("input", { type: radio ? "radio" : "checkbox", name, id, value: o.value });
    box.checked = initial.has(o.value);
    const label = el("label", { for: id, class: "bk-choice-label" }, renderText(o.text, el("span"), ctx));
    const row = el("div", { class: "bk-choice" }, box, label);
    if (o.description) row.append(renderText(o.description, el("div", { class: "bk-choice-desc" }), ctx));
    return { box, row, option: o };
  });
  boxes.forEach((b) => group.append(b.row));
  const selected = () => boxes.filter((b) => b.box.checked).map((b) => clone(b.option));
  const state = () =>
    radio ? { type: e.type, selected_option: selected()[0] || null } : { type: e.type, selected_options: selected() };
  register(ctx, {
    blockId, actionId, node: boxes[0]?.box || group,
    get: state,
    restore: (v) => {
      const want = new Set(radio ? (v.selected_option ? [v.selected_option.value] : []) : (v.selected_options || []).map((o) => o.value));
      boxes.forEach((b) => { b.box.checked = want.has(b.option.value); });
    },
    empty: () => selected().length === 0,
  });
  if (opts.dispatch) {
    group.addEventListener("change", () => {
      const s = state();
      delete s.type;
      fire(ctx, { ...base, ...s }, group);
    });
  }
  return group;
}

/** multi_users_select and friends: chips plus an "add" select. */
function multiPicker(e, base, common, ctx, opts, blockId, actionId) {
  const kind = e.type.replace(/^multi_|_select$/g, "");
  const isUsers = kind === "users";
  const items = isUsers
    ? (ctx.people?.() || []).map((p) => ({ id: p.id, label: p.real_name || p.name }))
    : (ctx.channels?.() || []).filter((c) => kind === "conversations" || c.kind === "channel")
        .map((c) => ({ id: c.id, label: c.kind === "dm" ? c.name : `#${c.name}` }));
  const labelOf = (id) => items.find((i) => i.id === id)?.label || id;
  const field = { users: "selected_users", conversations: "selected_conversations", channels: "selected_channels" }[kind];
  let chosen = [...(e[`initial_${kind}`] || [])];
  const max = e.max_selected_items || Infinity;

  const chips = el("ul", { class: "bk-chips", "aria-label": "Selected" });
  const sel = el("select", {
    ...common, class: "bk-select",
    id: opts.inputId, "aria-labelledby": opts.labelledBy,
    "aria-label": opts.labelledBy ? undefined : opts.label || "Add",
    "aria-describedby": opts.describedBy,
  });
  const root = el("div", { class: "bk-multi-picker" }, chips, wrapSelect(sel));

  const changed = () => {
    draw();
    if (opts.dispatch) fire(ctx, { ...base, [field]: [...chosen] }, root);
  };
  const draw = () => {
    chips.replaceChildren(
      ...chosen.map((id) =>
        el("li", { class: "bk-chip" },
          el("span", { text: labelOf(id) }),
          el("button", {
            type: "button", class: "bk-chip-x", "aria-label": `Remove ${labelOf(id)}`, text: "×",
            onclick: () => { chosen = chosen.filter((x) => x !== id); changed(); sel.focus(); },
          })),
      ),
    );
    chips.hidden = chosen.length === 0;
    const full = chosen.length >= max;
    sel.replaceChildren(
      el("option", {
        value: "",
        text: full ? `Up to ${max} selected` : e.placeholder ? textOf(e.placeholder) : isUsers ? "Add people" : "Add channels",
      }),
      ...items.filter((i) => !chosen.includes(i.id)).map((i) => el("option", { value: i.id, text: i.label, disabled: full })),
    );
    sel.value = "";
  };
  sel.addEventListener("change", () => {
    if (sel.value && chosen.length < max) {
      chosen.push(sel.value);
      changed();
      sel.focus();
    }
  });
  draw();
  register(ctx, {
    blockId, actionId, node: sel,
    get: () => ({ type: e.type, [field]: [...chosen] }),
    restore: (v) => { chosen = [...(v[field] || [])]; draw(); },
    empty: () => chosen.length === 0,
  });
  return root;
}

// -------------------------------------------------------------- rich_text

function richElement(e, ctx) {
  switch (e.type) {
    case "rich_text_section":
      return richInline(e.elements || [], el("div", { class: "rt-section" }), ctx);
    case "rich_text_preformatted":
      return richInline(e.elements || [], el("pre", { class: "mk-pre" }), ctx);
    case "rich_text_quote":
      return richInline(e.elements || [], el("blockquote", { class: "mk-quote" }), ctx);
    case "rich_text_list": {
      const list = el(e.style === "ordered" ? "ol" : "ul", { class: "rt-list" });
      (e.elements || []).forEach((item) => list.append(richInline(item.elements || [], el("li"), ctx)));
      return list;
    }
    default:
      return el("div", { text: "" });
  }
}

function richInline(elements, parent, ctx) {
  for (const x of elements) {
    let node;
    switch (x.type) {
      case "text":
        node = document.createTextNode(x.text || "");
        break;
      case "link":
        if (SAFE_URL.test(x.url || "")) {
          node = el("a", { href: x.url, rel: "noopener noreferrer", target: "_blank", text: x.text || x.url });
        } else node = document.createTextNode(x.text || x.url || "");
        break;
      case "emoji":
        node = el("span", { class: "emoji", title: `:${x.name}:`, text: x.unicode ? String.fromCodePoint(...x.unicode.split("-").map((h) => parseInt(h, 16))) : emojiFor(x.name) || `:${x.name}:` });
        break;
      case "user": {
        const p = ctx.person?.(x.user_id);
        node = el("span", { class: "mention", text: "@" + (p ? p.real_name || p.name : x.user_id) });
        break;
      }
      case "channel": {
        const c = ctx.channel?.(x.channel_id);
        node = el("span", { class: "mention mention-channel", text: "#" + (c ? c.name : x.channel_id) });
        break;
      }
      case "broadcast":
        node = el("span", { class: "mention mention-broadcast", text: "@" + x.range });
        break;
      default:
        node = document.createTextNode(x.text || "");
    }
    const s = x.style || {};
    if (s.code) node = el("code", { class: "mk-code" }, node);
    if (s.strike) node = el("s", {}, node);
    if (s.italic) node = el("em", {}, node);
    if (s.bold) node = el("strong", {}, node);
    parent.append(node);
  }
  return parent;
}

// ------------------------------------------------------------ view state

/** `view.state.values` in Slack's exact shape, from a registry. */
export function stateValues(registry) {
  const values = {};
  for (const entry of registry.values()) {
    (values[entry.blockId] ||= {})[entry.actionId] = entry.get();
  }
  return values;
}

export { renderMrkdwn };

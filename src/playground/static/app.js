// The playground page: a simulated Slack workspace around alignbot.
// It talks only to /playground/api/* (see notes/playground-api.md); the
// server turns each action into the payload Slack would send to the bot.

import { el, renderBlocks, stateValues } from "./blockkit.js";
import { renderMrkdwn, emojiFor, REACTION_CHOICES } from "./mrkdwn.js";
import { ModalHost } from "./modal.js";
import { showMenu, toast, confirmDialog, focusKeyOf } from "./ui.js";
import { mentionAt, mentionMatches, insertMention, encodeMentions } from "./pickers.js";

const API = "/playground/api";
// This run's token, served in the page: the playground refuses changes
// without it (or the page's own Origin), so no other site can make them.
const TOKEN = document.querySelector('meta[name="playground-token"]')?.content || "";

const S = {
  state: null,
  me: null, // person id
  people: new Map(),
  channels: new Map(),
  view: { channel: null, tab: "messages" }, // tab: messages | home (app only)
  messages: new Map(), // channel → Map(ts → message)
  nodes: new Map(), // "channel|ts" → element in the message pane
  thread: null, // { channel, ts, replies: Map }
  home: null, // View record
  homeRegistry: new Map(),
  unread: new Set(),
  dismissed: new Set(),
  stream: null,
  streamRetry: null,
  streamHadError: false,
  clock: null, // { offset: ms ahead of this browser's clock, tz }
  picked: [], // mentions picked in the composer: { kind, id, name }
};

// ------------------------------------------------------------------ api

async function api(path, body) {
  const opts = body === undefined ? {} : { method: "POST", headers: { "content-type": "application/json", "x-playground-token": TOKEN }, body: JSON.stringify(body) };
  const res = await fetch(API + path, opts);
  const text = await res.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = null; }
  if (!res.ok) {
    throw new Error(data?.error || `The playground server answered ${res.status} ${res.statusText} to ${path}.`);
  }
  return data;
}

/** A POST whose failure becomes an error toast instead of an exception. */
async function post(path, body) {
  try {
    const data = await api(path, body);
    if (data && data.ok === false) {
      toast(data.error || "The request failed.", "error");
    }
    return data;
  } catch (err) {
    toast(err.message, "error");
    return null;
  }
}

// ------------------------------------------------------------ look-ups

// The bot is no person one can act as, but mentions of it resolve.
const person = (id) =>
  S.people.get(id) || (S.state?.bot && S.state.bot.id === id ? { id, name: S.state.bot.name, real_name: S.state.bot.name } : undefined);
const channel = (id) => S.channels.get(id);
const dmId = () => {
  const own = [...S.channels.values()].find((c) => c.kind === "dm" && (c.user === S.me || c.id === `D${S.me}`));
  return own ? own.id : `D${S.me}`;
};
const isDm = (id) => id === dmId() || channel(id)?.kind === "dm";
const botName = () => S.state?.bot?.name || "alignbot";
const key = (m) => `${m.channel}|${m.ts}`;

function textCtx() {
  return { person, channel, people: () => [...S.people.values()], channels: () => [...S.channels.values()] };
}

function blockCtx(extra) {
  return {
    ...textCtx(),
    confirm: (c) => confirmDialog(c, textCtx()),
    menu: (anchor, items) => showMenu(anchor, items),
    ...extra,
  };
}

// --------------------------------------------------------------- person

function initials(p) {
  const name = p?.real_name || p?.name || "?";
  return name.split(/\s+/).filter(Boolean).slice(0, 2).map((w) => [...w][0].toUpperCase()).join("");
}

function avatar(p, cls = "avatar") {
  const a = el("span", { class: cls, "aria-hidden": "true", text: initials(p) });
  a.style.background = p?.avatar_color || "#4a154b";
  return a;
}

function renderPersonButton() {
  const p = person(S.me);
  const av = document.getElementById("person-avatar");
  av.textContent = initials(p);
  av.style.background = p?.avatar_color || "#4a154b";
  document.getElementById("person-name").textContent = p ? p.real_name || p.name : S.me;
  const role = document.getElementById("person-role");
  role.textContent = p?.role || "";
  role.className = `badge badge-${p?.role || "member"}`;
  document.getElementById("person-title").textContent = p?.title ? `, ${p.title}, ` : "";
  document.getElementById("workspace-person").textContent = p ? `${p.real_name || p.name} · ${p.title || p.role}` : "";
}

function openPersonMenu() {
  const btn = document.getElementById("person-btn");
  const people = [...S.people.values()];
  showMenu(btn, people.map((p) => ({
    label: p.real_name || p.name,
    detail: p.title,
    badge: p.role,
    checked: p.id === S.me,
    testid: `person-${p.id}`,
    run: () => switchPerson(p.id),
  })), { label: "Act as", className: "person-menu", testid: "person-menu", align: "right" });
}

/** The modals open for this person (after a reload or a switch). */
async function loadViews() {
  try {
    const data = await api(`/views?as=${encodeURIComponent(S.me)}`);
    const open = (data?.views || []).filter((v) => v.kind !== "home");
    // Closed while the page was away: close them here too.
    const ids = new Set(open.map((v) => v.id));
    modals.stack.filter((e) => !ids.has(e.record.id)).forEach((e) => modals.closeView(e.record.id));
    for (const v of open) modals.open(v);
  } catch {
    // An older server without /views: nothing to restore.
  }
}

async function switchPerson(id) {
  if (id === S.me) return;
  S.me = id;
  localStorage.setItem("playground.as", id);
  S.messages.clear();
  S.unread.clear();
  S.dismissed.clear();
  S.home = null;
  modals.closeAllLocal();
  closeThread();
  renderPersonButton();
  if (isDm(S.view.channel) || !channel(S.view.channel)) S.view.channel = dmId();
  renderSidebar();
  connectStream();
  await showChannel(S.view.channel, S.view.tab);
  toast(`Now acting as ${person(id)?.real_name || id}.`);
  loadViews();
}

// -------------------------------------------------------------- sidebar

function renderSidebar() {
  document.getElementById("workspace-name").textContent = S.state.org?.name || "Workspace";
  const list = document.getElementById("channel-list");
  const chans = [...S.channels.values()].filter((c) => c.kind !== "dm").sort((a, b) => a.name.localeCompare(b.name));
  list.replaceChildren(...chans.map((c) => sideItem(c.id, "#", c.name, `channel-${c.id}`)));
  const dm = dmId();
  document.getElementById("app-list").replaceChildren(sideItem(dm, null, botName(), "channel-dm", true));
}

function sideItem(id, prefix, name, testid, isApp = false) {
  const current = S.view.channel === id;
  const unread = S.unread.has(id);
  const b = el("button", {
    type: "button",
    class: `side-item${current ? " active" : ""}${unread ? " unread" : ""}`,
    "aria-current": current ? "page" : undefined,
    "data-testid": testid,
    dataset: { channel: id },
    onclick: () => showChannel(id, isApp ? S.view.tab : "messages"),
  });
  if (isApp) b.append(el("span", { class: "side-app-icon", "aria-hidden": "true", text: "a" }));
  else b.append(el("span", { class: "side-hash", "aria-hidden": "true", text: prefix }));
  b.append(el("span", { class: "side-name", text: name }));
  if (isApp) b.append(el("span", { class: "badge-app", text: "APP" }));
  if (unread) b.append(el("span", { class: "visually-hidden", text: " (new messages)" }));
  return el("li", {}, b);
}

// ------------------------------------------------------------ channels

async function showChannel(id, tab = "messages") {
  S.view.channel = id;
  const app = isDm(id);
  S.view.tab = app ? tab : "messages";
  S.unread.delete(id);
  renderSidebar();
  const ch = channel(id);
  document.getElementById("pane-title").textContent = app ? botName() : `# ${ch?.name || id}`;
  document.getElementById("pane-topic").textContent = app ? "Your organization's alignment assistant" : ch?.topic || "";
  const tabs = document.getElementById("app-tabs");
  tabs.hidden = !app;
  const onHome = S.view.tab === "home";
  document.getElementById("tab-home").setAttribute("aria-selected", String(onHome));
  document.getElementById("tab-messages").setAttribute("aria-selected", String(!onHome));
  document.getElementById("tab-home").tabIndex = onHome ? 0 : -1;
  document.getElementById("tab-messages").tabIndex = onHome ? -1 : 0;
  document.getElementById("home").hidden = !onHome;
  document.getElementById("messages").hidden = onHome;
  // Slack's Home tab has no composer.
  document.getElementById("composer").hidden = onHome;
  document.getElementById("messages").setAttribute("aria-label", app ? `Messages with ${botName()}` : `Messages in #${ch?.name || id}`);
  const input = document.getElementById("composer-input");
  const label = app ? `Message ${botName()}` : `Message #${ch?.name || id}`;
  input.placeholder = app ? `Type / for ${botName()}'s commands` : label;
  document.getElementById("composer-label").textContent = label;
  saveUrl();
  if (onHome) await loadHome();
  else await loadMessages(id);
}

async function loadMessages(id) {
  const pane = document.getElementById("messages");
  let data;
  try {
    data = await api(`/messages?channel=${encodeURIComponent(id)}&as=${encodeURIComponent(S.me)}`);
  } catch (err) {
    pane.replaceChildren(el("p", { class: "empty", text: `Could not load messages: ${err.message}` }));
    return;
  }
  if (S.view.channel !== id) return;
  const map = new Map();
  for (const m of data?.messages || []) if (!m.deleted) map.set(m.ts, m);
  S.messages.set(id, map);
  renderMessages();
}

function renderMessages() {
  const id = S.view.channel;
  const pane = document.getElementById("messages");
  S.nodes.clear();
  const list = [...(S.messages.get(id)?.values() || [])]
    .filter((m) => !S.dismissed.has(key(m)))
    .sort((a, b) => parseFloat(a.ts) - parseFloat(b.ts));
  if (!list.length) {
    const ch = channel(id);
    pane.replaceChildren(el("p", { class: "empty", "data-testid": "empty-channel",
      text: isDm(id) ? `This is the beginning of your messages with ${botName()}. Try /moment, /goal, /priorities or /align.` : `This is the very beginning of #${ch?.name || id}.` }));
    return;
  }
  // A whole channel drawn at once is not announced message by message.
  pane.setAttribute("aria-busy", "true");
  const nodes = [];
  let day = null;
  for (const m of list) {
    const d = dayOf(m.ts);
    if (d !== day) {
      day = d;
      nodes.push(el("div", { class: "day-sep", role: "separator", "aria-label": d }, el("span", { text: d })));
    }
    const node = renderMessage(m, false);
    S.nodes.set(key(m), node);
    nodes.push(node);
  }
  pane.replaceChildren(...nodes);
  pane.scrollTop = pane.scrollHeight;
  requestAnimationFrame(() => pane.removeAttribute("aria-busy"));
}

// Times show in the acting person's own time zone, as Slack shows them,
// and "Today" is the playground's today (its clock may run ahead).
function inViewerZone(d, opts, locale = []) {
  const timeZone = person(S.me)?.tz;
  try {
    return d.toLocaleString(locale, { ...opts, timeZone });
  } catch {
    return d.toLocaleString(locale, opts);
  }
}

function timeOf(ts) {
  const d = new Date(parseFloat(ts) * 1000);
  return {
    short: inViewerZone(d, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" }),
    full: inViewerZone(d, { dateStyle: "full", timeStyle: "short" }),
    iso: d.toISOString(),
  };
}

function dayOf(ts) {
  const d = new Date(parseFloat(ts) * 1000);
  const day = (x) => inViewerZone(x, { year: "numeric", month: "2-digit", day: "2-digit" }, "en-CA");
  const now = Date.now() + (S.clock?.offset || 0);
  if (day(d) === day(new Date(now))) return "Today";
  if (day(d) === day(new Date(now - 86400000))) return "Yesterday";
  return inViewerZone(d, { weekday: "long", month: "long", day: "numeric" });
}

/** Slack escapes what people type; do the same so it shows as written. */
const escapeTyped = (t) => t.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

function renderMessage(m, inThread) {
  const author = m.bot ? null : person(m.user);
  const name = m.bot ? m.username || botName() : author?.real_name || author?.name || m.user || "someone";
  const t = timeOf(m.ts);
  const node = el("article", {
    class: `msg${m.ephemeral_for ? " ephemeral" : ""}${m.bot ? " from-bot" : ""}`,
    "data-testid": "message",
    dataset: { ts: m.ts, channel: m.channel, bot: String(!!m.bot), ephemeral: String(!!m.ephemeral_for) },
    "aria-label": `${name}, ${t.short}${m.ephemeral_for ? ", only visible to you" : ""}`,
    tabindex: "-1",
  });
  node.append(m.bot ? el("span", { class: "avatar avatar-bot", "aria-hidden": "true", text: "ab" }) : avatar(author));
  const body = el("div", { class: "msg-body" });
  const meta = el("div", { class: "msg-meta" }, el("span", { class: "msg-author", text: name }));
  if (m.bot) meta.append(el("span", { class: "badge-app", text: "APP" }));
  meta.append(el("time", { class: "msg-time", datetime: t.iso, title: t.full, text: t.short }));
  if (m.edited) meta.append(el("span", { class: "msg-edited", text: "(edited)" }));
  body.append(meta);
  if (m.ephemeral_for) {
    body.append(el("div", { class: "ephemeral-note", "data-testid": "ephemeral-note" },
      el("span", { "aria-hidden": "true", text: "👁 " }),
      el("span", { text: "Only visible to you" }),
      el("button", { type: "button", class: "link-btn", "data-testid": "dismiss-ephemeral", text: "Dismiss message",
        onclick: () => dismiss(m) })));
  }
  const content = el("div", { class: "msg-content" });
  const ctx = blockCtx({
    surface: "message",
    headingLevel: inThread ? 3 : 2,
    act: (action) => post("/action", {
      as: S.me,
      container: { type: "message", channel: m.channel, ts: m.ts, is_ephemeral: !!m.ephemeral_for, thread_ts: m.thread_ts || undefined },
      action,
    }),
  });
  if (m.blocks && m.blocks.length) content.append(renderBlocks(m.blocks, ctx));
  else content.append(renderMrkdwn(m.bot ? m.text || "" : escapeTyped(m.text || ""), el("div", { class: "bk-text" }), ctx));
  body.append(content);
  body.append(renderReactions(m));
  if (!inThread && m.reply_count > 0) {
    body.append(el("button", {
      type: "button", class: "replies-link", "data-testid": `replies-${m.ts}`,
      text: `${m.reply_count} ${m.reply_count === 1 ? "reply" : "replies"}`,
      onclick: () => openThread(m.channel, m.ts),
    }));
  }
  node.append(body);
  if (!m.ephemeral_for) node.append(messageToolbar(m, inThread));
  return node;
}

function dismiss(m) {
  S.dismissed.add(key(m));
  const node = S.nodes.get(key(m));
  node?.remove();
  S.nodes.delete(key(m));
  document.getElementById("composer-input").focus();
}

function renderReactions(m) {
  const row = el("div", { class: "reactions", "data-testid": "reactions" });
  for (const r of m.reactions || []) {
    if (!r.users?.length) continue;
    const mine = r.users.includes(S.me);
    const names = r.users.map((u) => (u === S.me ? "you" : person(u)?.real_name || u)).join(", ");
    row.append(el("button", {
      type: "button",
      class: `reaction${mine ? " mine" : ""}`,
      "aria-pressed": String(mine),
      "aria-label": `${r.name} reaction by ${names}. ${mine ? "Remove yours" : "Add yours"}`,
      title: `:${r.name}: by ${names}`,
      "data-testid": `reaction-${r.name}`,
      onclick: () => react(m, r.name, !mine),
    }, el("span", { class: "emoji", "aria-hidden": "true", text: emojiFor(r.name) || `:${r.name}:` }),
       el("span", { class: "reaction-count", "aria-hidden": "true", text: String(r.users.length) })));
  }
  if (row.childElementCount && !m.ephemeral_for) {
    const add = el("button", { type: "button", class: "reaction reaction-add", "aria-label": "Add reaction", title: "Add reaction", text: "☺+" });
    add.addEventListener("click", () => emojiPicker(add, m));
    row.append(add);
  }
  return row;
}

async function react(m, name, add) {
  // Optimistic: the stream brings the stored message back right after.
  const reactions = (m.reactions ||= []);
  let r = reactions.find((x) => x.name === name);
  if (!r) reactions.push((r = { name, users: [] }));
  r.users = add ? [...new Set([...r.users, S.me])] : r.users.filter((u) => u !== S.me);
  upsertMessage(m);
  await post("/reaction", { as: S.me, channel: m.channel, ts: m.ts, name, add });
}

function emojiPicker(anchor, m) {
  showMenu(anchor, REACTION_CHOICES.map((name) => ({
    label: emojiFor(name),
    ariaLabel: name,
    title: `:${name}:`,
    testid: `emoji-${name}`,
    run: () => {
      const mine = (m.reactions || []).find((r) => r.name === name)?.users?.includes(S.me);
      react(m, name, !mine);
    },
  })), { label: "Add reaction", className: "emoji-picker", testid: "emoji-picker" });
}

function messageToolbar(m, inThread) {
  const bar = el("div", { class: "msg-toolbar", role: "toolbar", "aria-label": "Message actions" });
  const add = el("button", { type: "button", class: "icon-btn", "aria-label": "Add reaction", title: "Add reaction", "data-testid": "add-reaction", "aria-haspopup": "menu", text: "☺" });
  add.addEventListener("click", () => emojiPicker(add, m));
  bar.append(add);
  if (!inThread && !isDm(m.channel)) {
    bar.append(el("button", { type: "button", class: "icon-btn", "aria-label": "Reply in thread", title: "Reply in thread", "data-testid": "reply-in-thread", text: "💬",
      onclick: () => openThread(m.channel, m.ts) }));
  }
  const more = el("button", { type: "button", class: "icon-btn", "aria-label": "More actions", title: "More actions", "data-testid": "more-actions", "aria-haspopup": "menu", text: "⋮" });
  more.addEventListener("click", () => {
    const shortcuts = (S.state.shortcuts || []).filter((s) => s.type === "message");
    const items = shortcuts.length
      ? shortcuts.map((s) => ({ label: s.name, detail: botName(), testid: `message-shortcut-${s.callback_id}`,
          run: () => post("/shortcut", { as: S.me, callback_id: s.callback_id, channel: m.channel, ts: m.ts }) }))
      : [{ label: "No message shortcuts", disabled: true }];
    showMenu(more, [{ heading: "Message shortcuts" }, ...items], { label: "More actions", testid: "message-menu", align: "right" });
  });
  bar.append(more);
  return bar;
}

/** A new or changed message from the stream (or an optimistic change). */
function upsertMessage(m) {
  if (m.ephemeral_for && m.ephemeral_for !== S.me) return;
  // Another person's DM with the bot is not this person's to see.
  if (m.channel !== dmId() && (m.channel.startsWith("D") || channel(m.channel)?.kind === "dm")) return;
  if (m.thread_ts && m.thread_ts !== m.ts) return upsertReply(m);
  let map = S.messages.get(m.channel);
  if (!map) S.messages.set(m.channel, (map = new Map()));
  const isNew = !map.has(m.ts);
  if (m.deleted) map.delete(m.ts);
  else map.set(m.ts, m);
  if (S.thread && S.thread.channel === m.channel && S.thread.ts === m.ts) renderThread();
  const visible = S.view.channel === m.channel && S.view.tab === "messages";
  if (!visible) {
    if (isNew && !m.deleted && (m.channel === dmId() || channel(m.channel))) {
      S.unread.add(m.channel);
      renderSidebar();
    }
    return;
  }
  const pane = document.getElementById("messages");
  const k = key(m);
  const old = S.nodes.get(k);
  if (m.deleted || S.dismissed.has(k)) {
    old?.remove();
    S.nodes.delete(k);
    return;
  }
  const nearBottom = pane.scrollHeight - pane.scrollTop - pane.clientHeight < 120;
  const focusKey = old && old.contains(document.activeElement) ? focusKeyOf(document.activeElement) : null;
  const node = renderMessage(m, false);
  if (old) {
    old.replaceWith(node);
  } else {
    pane.querySelector(".empty")?.remove();
    const later = [...S.nodes.entries()]
      .filter(([kk]) => kk.startsWith(m.channel + "|"))
      .map(([kk, n]) => [parseFloat(kk.split("|")[1]), n])
      .filter(([ts]) => ts > parseFloat(m.ts))
      .sort((a, b) => a[0] - b[0])[0];
    if (later) pane.insertBefore(node, later[1]);
    else pane.append(node);
  }
  S.nodes.set(k, node);
  // A message the bot updated (chat.update) keeps the keyboard focus where
  // it was, e.g. on the button just pressed.
  if (focusKey) (node.querySelector(focusKey) || node).focus();
  if (!old && nearBottom) pane.scrollTop = pane.scrollHeight;
}

// ---------------------------------------------------------------- threads

async function openThread(channelId, ts, focus = true) {
  S.thread = { channel: channelId, ts, replies: new Map() };
  const aside = document.getElementById("thread");
  aside.hidden = false;
  document.body.classList.add("with-thread");
  const ch = channel(channelId);
  document.getElementById("thread-title").textContent = `Thread${ch ? " in #" + ch.name : ""}`;
  renderThread();
  if (focus) document.getElementById("thread-input").focus();
  try {
    const data = await api(`/messages?channel=${encodeURIComponent(channelId)}&as=${encodeURIComponent(S.me)}&thread_ts=${encodeURIComponent(ts)}`);
    if (!S.thread || S.thread.ts !== ts) return;
    for (const m of data?.messages || []) if (m.ts !== ts && !m.deleted) S.thread.replies.set(m.ts, m);
    renderThread();
  } catch (err) {
    toast(err.message, "error");
  }
}

function closeThread() {
  const wasOpen = !!S.thread;
  S.thread = null;
  document.getElementById("thread").hidden = true;
  document.body.classList.remove("with-thread");
  if (wasOpen) document.getElementById("composer-input").focus();
}

function renderThread() {
  if (!S.thread) return;
  const { channel: c, ts } = S.thread;
  const parent = S.messages.get(c)?.get(ts);
  const box = document.getElementById("thread-messages");
  const nodes = [];
  if (parent) nodes.push(renderMessage(parent, true));
  const replies = [...S.thread.replies.values()].sort((a, b) => parseFloat(a.ts) - parseFloat(b.ts));
  nodes.push(el("div", { class: "thread-count", text: `${replies.length} ${replies.length === 1 ? "reply" : "replies"}` }));
  replies.forEach((r) => nodes.push(renderMessage(r, true)));
  box.replaceChildren(...nodes);
  box.scrollTop = box.scrollHeight;
}

function upsertReply(m) {
  if (!S.thread || S.thread.channel !== m.channel || S.thread.ts !== m.thread_ts) return;
  if (m.deleted) S.thread.replies.delete(m.ts);
  else S.thread.replies.set(m.ts, m);
  renderThread();
}

// ------------------------------------------------------------------ home

async function loadHome() {
  try {
    const data = await api(`/home?as=${encodeURIComponent(S.me)}`);
    if (data?.view) S.home = data.view;
    renderHome();
  } catch (err) {
    toast(err.message, "error");
  }
  // Opening the tab is what makes Slack send app_home_opened.
  post("/home", { as: S.me });
}

function renderHome() {
  const pane = document.getElementById("home");
  if (!S.home) {
    pane.replaceChildren(el("p", { class: "empty", text: `Loading ${botName()}'s Home…` }));
    return;
  }
  const kept = new Map([...S.homeRegistry].map(([k, v]) => [k, v.get()]));
  S.homeRegistry = new Map();
  const record = S.home;
  const ctx = blockCtx({
    surface: "home",
    registry: S.homeRegistry,
    act: (action) => post("/action", {
      as: S.me,
      container: { type: "view", view_id: record.id },
      action,
      state: { values: stateValues(S.homeRegistry) },
    }),
  });
  const scroll = pane.scrollTop;
  pane.replaceChildren(renderBlocks(record.view?.blocks || [], ctx));
  for (const [k, v] of kept) S.homeRegistry.get(k)?.restore(v);
  pane.scrollTop = scroll;
}

function setHome(record) {
  if (record.user && record.user !== S.me) return;
  S.home = record;
  if (S.view.tab === "home" && isDm(S.view.channel)) renderHome();
}

// ---------------------------------------------------------------- modals

const modals = new ModalHost({
  ctxFor: (record) => blockCtx({
    act: (action) => post("/action", {
      as: S.me,
      container: { type: "view", view_id: record.id },
      action,
      state: { values: modals.top && modals.top.record.id === record.id ? modals.values() : {} },
    }),
  }),
  submit: (viewId, values) => post("/submit", { as: S.me, view_id: viewId, values }),
  close: (viewId) => post("/close", { as: S.me, view_id: viewId }),
});

// ---------------------------------------------------------------- stream

function connectStream() {
  if (S.stream) S.stream.close();
  clearTimeout(S.streamRetry);
  // `?stream=off` leaves live updates out: a one-shot screenshot
  // (chromium --screenshot --virtual-time-budget) waits for the network
  // to be idle, which an open event stream never is.
  if (new URLSearchParams(location.search).get("stream") === "off") return;
  const es = new EventSource(`${API}/stream?as=${encodeURIComponent(S.me)}`);
  S.stream = es;
  const on = (name, fn) => es.addEventListener(name, (ev) => {
    if (S.stream !== es) return;
    let data;
    try { data = JSON.parse(ev.data); } catch { return; }
    fn(data);
  });
  on("message", (m) => upsertMessage(m));
  on("view_open", (v) => {
    if (v.user && v.user !== S.me) return;
    if (v.kind === "home") setHome(v);
    else modals.open(v);
  });
  on("view_update", (v) => {
    if (v.user && v.user !== S.me) return;
    if (v.kind === "home") setHome(v);
    else if (!modals.update(v)) modals.open(v);
  });
  on("view_close", (v) => modals.closeView(v.id));
  on("home", (v) => setHome(v));
  on("notice", (n) => toast(n.text));
  on("clock", (c) => setClock(c.now, c.jumps));
  // The server dropped events for a slow page: reload what is shown.
  on("resync", () => refreshShown());
  es.addEventListener("open", () => {
    setStatus(true);
    if (S.streamHadError) {
      S.streamHadError = false;
      // Catch up on what happened while disconnected.
      refreshShown();
    }
  });
  es.addEventListener("error", () => {
    if (S.stream !== es) return;
    S.streamHadError = true;
    setStatus(false);
    if (es.readyState === EventSource.CLOSED) {
      S.streamRetry = setTimeout(connectStream, 2000);
    }
  });
}

function refreshShown() {
  loadViews();
  if (S.view.tab === "home") loadHome();
  else loadMessages(S.view.channel);
  if (S.thread) openThread(S.thread.channel, S.thread.ts, false);
}

function setStatus(live) {
  document.body.classList.toggle("offline", !live);
}

// -------------------------------------------------------------- composer

let suggestions = [];
let active = -1;
let mention = null; // the @ or # being typed, from mentionAt

function commandMatches(text) {
  if (!text.startsWith("/") || /\s/.test(text)) return [];
  return (S.state.slash_commands || []).filter((c) => c.command.startsWith(text)).map((c) => ({ kind: "command", ...c }));
}

/** What to offer for the text before the caret: commands, people or channels. */
function currentSuggestions(input) {
  const commands = commandMatches(input.value);
  mention = null;
  if (commands.length) return commands;
  const at = mentionAt(input.value, input.selectionStart ?? input.value.length);
  if (!at) return [];
  mention = at;
  return mentionMatches(at.sigil, at.query, [...S.people.values()], [...S.channels.values()]);
}

function suggestionItem(c, i) {
  const attrs = {
    role: "option", id: `cmd-${i}`, class: `ac-item ac-${c.kind}`, "aria-selected": String(i === active),
    onmousedown: (ev) => { ev.preventDefault(); pickSuggestion(i); },
  };
  if (c.kind === "command") {
    return el("li", { ...attrs, "data-testid": `command-${c.command.slice(1)}` },
      el("span", { class: "ac-cmd", text: c.command }),
      el("span", { class: "ac-hint", text: c.usage_hint || "" }),
      el("span", { class: "ac-desc", text: c.description || "" }));
  }
  if (c.kind === "person") {
    return el("li", { ...attrs, "data-testid": `mention-${c.id}` },
      avatar(person(c.id), "avatar avatar-sm"),
      el("span", { class: "ac-cmd", text: c.label }),
      el("span", { class: "ac-hint", text: `@${c.name}${c.detail ? " · " + c.detail : ""}` }));
  }
  return el("li", { ...attrs, "data-testid": `channel-pick-${c.id}` },
    el("span", { class: "side-hash", "aria-hidden": "true", text: "#" }),
    el("span", { class: "ac-cmd", text: c.name }),
    el("span", { class: "ac-hint", text: c.detail }));
}

function renderSuggestions() {
  const input = document.getElementById("composer-input");
  const list = document.getElementById("autocomplete");
  suggestions = currentSuggestions(input);
  if (!suggestions.length) return hideSuggestions();
  if (active >= suggestions.length || active < 0) active = 0;
  const kind = suggestions[0].kind;
  list.setAttribute("aria-label", kind === "command" ? "Slash commands" : kind === "person" ? "People" : "Channels");
  list.dataset.testid = kind === "command" ? "command-suggestions" : "mention-suggestions";
  list.replaceChildren(...suggestions.map(suggestionItem));
  list.hidden = false;
  input.setAttribute("aria-activedescendant", `cmd-${active}`);
}

function hideSuggestions() {
  const input = document.getElementById("composer-input");
  document.getElementById("autocomplete").hidden = true;
  input.removeAttribute("aria-activedescendant");
  suggestions = [];
  active = -1;
  mention = null;
}

function pickSuggestion(i) {
  const input = document.getElementById("composer-input");
  const pick = suggestions[i];
  if (pick.kind === "command") {
    input.value = pick.command + " ";
  } else if (mention) {
    const caret = input.selectionStart ?? input.value.length;
    const next = insertMention(input.value, mention, caret, pick);
    input.value = next.text;
    input.setSelectionRange(next.caret, next.caret);
    if (!S.picked.some((p) => p.kind === pick.kind && p.id === pick.id)) {
      S.picked.push({ kind: pick.kind, id: pick.id, name: pick.name });
    }
  }
  hideSuggestions();
  updateHelp();
  input.focus();
}

/** The @ and # buttons: start a mention at the caret and show the picker. */
function startMention(sigil) {
  const input = document.getElementById("composer-input");
  const caret = input.selectionStart ?? input.value.length;
  const before = input.value.slice(0, caret);
  const insert = (before && !/\s$/.test(before) ? " " : "") + sigil;
  input.value = before + insert + input.value.slice(caret);
  input.focus();
  input.setSelectionRange(caret + insert.length, caret + insert.length);
  active = 0;
  renderSuggestions();
}

/** The text as Slack would send it, with picked mentions turned into ids. */
function outgoing(text) {
  let mode = "message";
  if (text.startsWith("/")) {
    const name = text.split(/\s/, 1)[0];
    const cmd = (S.state.slash_commands || []).find((c) => c.command === name);
    mode = cmd && cmd.should_escape === false ? "plain" : "escape";
  }
  return encodeMentions(text, S.picked, mode);
}

function updateHelp() {
  const input = document.getElementById("composer-input");
  const help = document.getElementById("composer-help");
  const m = input.value.match(/^(\/\S+)\s/);
  const cmd = m && (S.state.slash_commands || []).find((c) => c.command === m[1]);
  help.textContent = cmd
    ? `${cmd.command} ${cmd.usage_hint || ""}`.trim()
    : "Type / for commands, @ for people, # for channels. Enter to send, Shift+Enter for a new line.";
  input.style.height = "auto";
  input.style.height = `${Math.min(input.scrollHeight, 200)}px`;
}

async function send() {
  const input = document.getElementById("composer-input");
  const text = input.value.trim();
  if (!text) return;
  const channelId = S.view.channel;
  const sent = outgoing(text);
  if (text.startsWith("/")) {
    input.value = "";
    updateHelp();
    const data = await post("/command", { as: S.me, channel: channelId, text: sent });
    if (!data || data.ok === false) {
      input.value = text;
      updateHelp();
    } else {
      S.picked = [];
    }
    return;
  }
  if (isDm(channelId)) {
    toast(`${botName()} doesn't read messages. Use a slash command such as /moment or /goal help.`);
    return;
  }
  input.value = "";
  updateHelp();
  const data = await post("/message", { as: S.me, channel: channelId, text: sent });
  if (!data || data.ok === false) input.value = text;
  else S.picked = [];
}

function setupComposer() {
  const form = document.getElementById("composer");
  const input = document.getElementById("composer-input");
  form.addEventListener("submit", (ev) => { ev.preventDefault(); send(); });
  input.addEventListener("input", () => { active = 0; renderSuggestions(); updateHelp(); });
  input.addEventListener("click", () => renderSuggestions());
  document.getElementById("mention-btn").addEventListener("click", () => startMention("@"));
  document.getElementById("channel-btn").addEventListener("click", () => startMention("#"));
  input.addEventListener("blur", () => setTimeout(hideSuggestions, 100));
  input.addEventListener("keydown", (ev) => {
    const open = suggestions.length > 0;
    if (open && ev.key === "ArrowDown") { ev.preventDefault(); active = (active + 1) % suggestions.length; renderSuggestions(); return; }
    if (open && ev.key === "ArrowUp") { ev.preventDefault(); active = (active - 1 + suggestions.length) % suggestions.length; renderSuggestions(); return; }
    if (open && ev.key === "Escape") { ev.preventDefault(); hideSuggestions(); return; }
    const exact = suggestions[active]?.kind === "command" && input.value === suggestions[active].command;
    if (open && (ev.key === "Tab" || (ev.key === "Enter" && !ev.shiftKey && !exact))) {
      ev.preventDefault();
      pickSuggestion(active);
      return;
    }
    if (ev.key === "Enter" && !ev.shiftKey && !ev.isComposing) {
      ev.preventDefault();
      hideSuggestions();
      send();
    }
  });

  const tform = document.getElementById("thread-composer");
  const tinput = document.getElementById("thread-input");
  const tsend = async () => {
    const text = tinput.value.trim();
    if (!text || !S.thread) return;
    tinput.value = "";
    const data = await post("/message", { as: S.me, channel: S.thread.channel, text, thread_ts: S.thread.ts });
    if (!data || data.ok === false) tinput.value = text;
  };
  tform.addEventListener("submit", (ev) => { ev.preventDefault(); tsend(); });
  tinput.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && !ev.shiftKey && !ev.isComposing) { ev.preventDefault(); tsend(); }
  });
  document.getElementById("thread-close").addEventListener("click", closeThread);
  document.getElementById("thread").addEventListener("keydown", (ev) => {
    if (ev.key === "Escape") closeThread();
  });

  const sc = document.getElementById("shortcut-btn");
  sc.addEventListener("click", () => {
    const globals = (S.state.shortcuts || []).filter((s) => s.type === "global");
    showMenu(sc, [{ heading: "Shortcuts" }, ...(globals.length
      ? globals.map((s) => ({ label: s.name, detail: botName(), icon: "⚡", testid: `global-shortcut-${s.callback_id}`,
          run: () => post("/shortcut", { as: S.me, callback_id: s.callback_id }) }))
      : [{ label: "No shortcuts", disabled: true }])], { label: "Shortcuts", testid: "shortcut-menu" });
  });
}

// -------------------------------------------------------------- top bar

function setupTopbar() {
  document.getElementById("person-btn").addEventListener("click", openPersonMenu);
  setupTimeControl();
  const jobs = document.getElementById("job-menu-btn");
  jobs.addEventListener("click", () => {
    showMenu(jobs, (S.state.jobs || []).map((job) => ({
      label: job,
      detail: JOB_HELP[job],
      testid: `job-${job}`,
      run: () => runJob(job),
    })), { label: "Run job now", testid: "job-list", align: "right" });
  });
  const tabs = [document.getElementById("tab-home"), document.getElementById("tab-messages")];
  tabs[0].addEventListener("click", () => showChannel(dmId(), "home"));
  tabs[1].addEventListener("click", () => showChannel(dmId(), "messages"));
  tabs.forEach((t, i) => t.addEventListener("keydown", (ev) => {
    if (ev.key === "ArrowRight" || ev.key === "ArrowLeft") {
      ev.preventDefault();
      const other = tabs[1 - i];
      other.focus();
      other.click();
    }
  }));
}

// ------------------------------------------------------------------ time

/** The playground's time (it runs ahead of the real one after a jump). */
function setClock(now, jumps) {
  if (now?.utc) S.clock = { offset: Date.parse(now.utc) - Date.now(), tz: now.timezone || "UTC" };
  if (jumps && S.state) S.state.jumps = jumps;
  renderClock();
}

function renderClock() {
  if (!S.clock) return;
  const at = new Date(Date.now() + S.clock.offset);
  const box = document.getElementById("sim-date");
  const fmt = (locale, opts) => {
    try {
      return new Intl.DateTimeFormat(locale, { timeZone: S.clock.tz, ...opts }).format(at);
    } catch {
      return new Intl.DateTimeFormat(locale, opts).format(at);
    }
  };
  box.textContent = fmt("en-GB", { weekday: "short", day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  box.dataset.date = fmt("en-CA", { year: "numeric", month: "2-digit", day: "2-digit" });
}

async function jump(to) {
  const btn = document.getElementById("time-menu-btn");
  btn.setAttribute("aria-busy", "true");
  const data = await post("/time", { jump: to }).finally(() => btn.removeAttribute("aria-busy"));
  if (data && data.ok !== false) {
    setClock(data.now);
    // The stream brings the notice; without a stream, show it here.
    if (!S.stream) toast(data.summary);
  }
  return data;
}

function setupTimeControl() {
  const btn = document.getElementById("time-menu-btn");
  const form = document.getElementById("sim-pick");
  const input = document.getElementById("sim-pick-date");
  btn.addEventListener("click", () => {
    const jumps = S.state?.jumps || [];
    showMenu(btn, [
      { heading: "Jump to (the jobs due on the way run)" },
      ...jumps.map((j) => ({ label: j.label, detail: j.date_label, testid: `jump-${j.id}`, run: () => jump(j.id) })),
      { label: "A date…", detail: "any later day", testid: "jump-date", run: () => {
        form.hidden = false;
        const today = document.getElementById("sim-date").dataset.date;
        if (today) input.min = today;
        input.focus();
      } },
    ], { label: "Jump to", testid: "time-list", align: "right" });
  });
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    if (!input.value) return;
    const data = await jump(input.value);
    if (data && data.ok !== false) form.hidden = true;
  });
  form.addEventListener("keydown", (ev) => {
    if (ev.key === "Escape") { form.hidden = true; btn.focus(); }
  });
  setInterval(renderClock, 15000);
}

const JOB_HELP = {
  "priorities-nudge": "DM team leaders to publish this month's priorities",
  "progress-nudge": "DM goal owners to check in",
  "moments-nudge": "Ask everyone for a mission moment",
  "monthly-digest": "Post the monthly digests",
};

async function runJob(job) {
  const btn = document.getElementById("job-menu-btn");
  btn.setAttribute("aria-busy", "true");
  const data = await post("/job", { job }).finally(() => btn.removeAttribute("aria-busy"));
  if (data && data.ok !== false) toast(data.summary || `${job} ran.`);
}

// ------------------------------------------------------------------ boot

function saveUrl() {
  const q = new URLSearchParams({ as: S.me, channel: S.view.channel });
  if (S.view.tab === "home") q.set("tab", "home");
  const stream = new URLSearchParams(location.search).get("stream");
  if (stream) q.set("stream", stream);
  history.replaceState(null, "", `?${q}`);
}

async function loadState() {
  S.state = await api("/state");
  S.people = new Map((S.state.people || []).map((p) => [p.id, p]));
  S.channels = new Map((S.state.channels || []).map((c) => [c.id, c]));
  setClock(S.state.now);
}

async function boot() {
  setupTopbar();
  setupComposer();
  try {
    await loadState();
  } catch (err) {
    document.getElementById("messages").replaceChildren(el("p", { class: "empty", text: `Could not reach the playground server: ${err.message}` }));
    return;
  }
  const q = new URLSearchParams(location.search);
  const wanted = q.get("as") || localStorage.getItem("playground.as");
  S.me = S.people.has(wanted) ? wanted : S.state.default_person || S.people.keys().next().value;
  renderPersonButton();
  const firstChannel = [...S.channels.values()].filter((c) => c.kind !== "dm").sort((a, b) => a.name.localeCompare(b.name))[0];
  const c = q.get("channel");
  S.view.channel = c && (S.channels.has(c) || c === dmId()) ? c : firstChannel?.id || dmId();
  renderSidebar();
  connectStream();
  await showChannel(S.view.channel, q.get("tab") === "home" ? "home" : "messages");
  await loadViews();
  document.body.dataset.ready = "true";
}

document.addEventListener("keydown", (ev) => {
  // Esc in the main pane closes an open thread, as in Slack.
  if (ev.key === "Escape" && S.thread && !document.querySelector("dialog[open]") && !document.querySelector(".menu")) closeThread();
});

boot();

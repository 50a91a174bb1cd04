// Slack text objects rendered as DOM nodes.
//
// Everything here builds nodes with textContent: message text is written by
// the bot's users and must never become markup. Only http(s) and mailto
// links become <a> elements.

/** Emoji shortcodes alignbot and people commonly use, as Unicode. */
export const EMOJI = {
  "+1": "👍", thumbsup: "👍", "-1": "👎", thumbsdown: "👎",
  a: "🅰️", b: "🅱️", alarm_clock: "⏰", arrow_lower_right: "↘️",
  arrow_right: "➡️", arrow_right_hook: "↪️", arrow_upper_right: "↗️",
  bar_chart: "📊", bulb: "💡", busts_in_silhouette: "👥", clap: "👏",
  clipboard: "📋", dart: "🎯", eyes: "👀", fire: "🔥", heart: "❤️",
  hospital: "🏥", hourglass: "⌛", house_with_garden: "🏡",
  large_green_circle: "🟢", large_yellow_circle: "🟡", red_circle: "🔴",
  lock: "🔒", memo: "📝", muscle: "💪", new: "🆕", no_entry_sign: "🚫",
  pray: "🙏", raised_hands: "🙌", rocket: "🚀", seedling: "🌱",
  smile: "😄", slightly_smiling_face: "🙂", sparkles: "✨",
  speech_balloon: "💬", spiral_calendar_pad: "🗓️", star: "⭐", tada: "🎉",
  checkered_flag: "🏁", trophy: "🏆", warning: "⚠️", wastebasket: "🗑️", white_check_mark: "✅",
  heavy_check_mark: "✔️", x: "❌", wave: "👋", point_right: "👉",
  calendar: "📆", chart_with_upwards_trend: "📈", handshake: "🤝",
  joy: "😂", hugging_face: "🤗", star2: "🌟", zap: "⚡", sunny: "☀️",
  information_source: "ℹ️", question: "❓", exclamation: "❗",
  green_heart: "💚", blue_heart: "💙", purple_heart: "💜", "100": "💯",
  compass: "🧭",
  bell: "🔔", no_bell: "🔕", palm_tree: "🌴", file_cabinet: "🗄️",
  hearts: "♥️", yellow_heart: "💛", orange_heart: "🧡", sun_with_face: "🌞",
  books: "📚", mortar_board: "🎓", stethoscope: "🩺", ambulance: "🚑",
  pill: "💊", family: "👪", people_holding_hands: "🧑‍🤝‍🧑", earth_americas: "🌎",
  chart_with_downwards_trend: "📉", pushpin: "📌", link: "🔗", mag: "🔍",
  thinking_face: "🤔", ok_hand: "👌", medal: "🏅", sports_medal: "🏅",
  first_place_medal: "🥇", gift: "🎁", balloon: "🎈", confetti_ball: "🎊",
  date: "📅", calendar_spiral: "🗓️", hourglass_flowing_sand: "⏳",
  heavy_plus_sign: "➕", heavy_minus_sign: "➖", arrow_up: "⬆️", arrow_down: "⬇️",
  large_blue_circle: "🔵", white_circle: "⚪", black_circle: "⚫",
};

/** The emoji offered by the reaction picker, in Slack's usual order. */
export const REACTION_CHOICES = [
  "tada", "heart", "+1", "clap", "raised_hands", "star",
  "fire", "pray", "muscle", "bulb", "rocket", "eyes",
];

export function emojiFor(name) {
  return Object.prototype.hasOwnProperty.call(EMOJI, name) ? EMOJI[name] : null;
}

/** Slack's three escapes, decoded for display. */
export function decodeEntities(s) {
  return s.replace(/&(amp|lt|gt);/g, (_, e) => ({ amp: "&", lt: "<", gt: ">" })[e]);
}

const SHORTCODE = /:([a-z0-9_+\-']+):/g;

/** Appends `text` to `parent`, turning known :shortcodes: into emoji. */
function appendWithEmoji(parent, text) {
  let last = 0;
  for (const m of text.matchAll(SHORTCODE)) {
    const uni = emojiFor(m[1]);
    if (!uni) continue;
    if (m.index > last) parent.append(text.slice(last, m.index));
    const span = document.createElement("span");
    span.className = "emoji";
    span.title = `:${m[1]}:`;
    span.textContent = uni;
    parent.append(span);
    last = m.index + m[0].length;
  }
  if (last < text.length) parent.append(text.slice(last));
}

/** Replaces shortcodes in a string (for places that need plain strings). */
export function emojify(text) {
  return text.replace(SHORTCODE, (all, name) => emojiFor(name) ?? all);
}

/** A `plain_text` object: shown exactly as written (emoji if asked). */
export function renderPlain(obj, parent) {
  const text = String(obj?.text ?? "");
  if (obj?.emoji === false) parent.append(text);
  else appendWithEmoji(parent, text);
  return parent;
}

/** A text object of either type into `parent`. */
export function renderText(obj, parent, ctx) {
  if (!obj) return parent;
  if (obj.type === "mrkdwn") return renderMrkdwn(String(obj.text ?? ""), parent, ctx, obj.verbatim);
  return renderPlain(obj, parent);
}

/** A text object as a plain string (labels, aria attributes, options). */
export function textOf(obj) {
  if (!obj) return "";
  const t = String(obj.text ?? "");
  if (obj.type === "mrkdwn") return emojify(decodeEntities(t.replace(/<([^>|]*)\|([^>]*)>/g, "$2")));
  return obj.emoji === false ? t : emojify(t);
}

// ---------------------------------------------------------------- mrkdwn

const SAFE_URL = /^(https?:\/\/|mailto:)/i;

/**
 * Renders Slack mrkdwn: code blocks, quotes, *bold*, _italic_, ~strike~,
 * `code`, <links|label>, <@U…>, <#C…|name>, <!here>, :emoji:, entities,
 * and bare http(s) URLs as links unless the text object is `verbatim`.
 * `ctx.person(id)` and `ctx.channel(id)` resolve names.
 */
export function renderMrkdwn(src, parent, ctx = {}, verbatim = false) {
  const parts = src.split("```");
  parts.forEach((part, i) => {
    const isCode = i % 2 === 1 && i < parts.length - 1;
    if (isCode) {
      const pre = document.createElement("pre");
      pre.className = "mk-pre";
      pre.textContent = decodeEntities(part.replace(/^\n/, ""));
      parent.append(pre);
    } else {
      let text = i % 2 === 1 ? "```" + part : part;
      // A code block is a block of its own: the line breaks around it
      // are not shown again as empty lines.
      if (i > 0 && i % 2 === 0) text = text.replace(/^\n/, "");
      if (i + 2 < parts.length && i % 2 === 0) text = text.replace(/\n$/, "");
      renderLines(text, parent, ctx, verbatim);
    }
  });
  return parent;
}

function renderLines(text, parent, ctx, verbatim) {
  if (!text) return;
  // Consecutive lines starting with ">" form one quote block.
  const groups = [];
  for (const line of text.split("\n")) {
    const quoted = line.startsWith(">");
    const last = groups[groups.length - 1];
    if (last && last.quoted === quoted) last.lines.push(line);
    else groups.push({ quoted, lines: [line] });
  }
  for (const g of groups) {
    const target = g.quoted ? document.createElement("blockquote") : parent;
    if (g.quoted) {
      target.className = "mk-quote";
      parent.append(target);
    }
    g.lines.forEach((line, i) => {
      if (i > 0) target.append("\n");
      renderInline(g.quoted ? line.replace(/^> ?/, "") : line, target, ctx, verbatim);
    });
  }
}

const MARKS = { "*": "strong", _: "em", "~": "s" };
const isSpace = (c) => c === undefined || /\s/.test(c);
const isOpenBoundary = (c) => c === undefined || /[\s([{"'“‘.,:;!?\-—–/]/.test(c);
const isCloseBoundary = (c) => c === undefined || /[\s)\]}"'”’.,:;!?\-—–/*_~]/.test(c);

/** Finds the index of the closing `mark` for an opener at `start`, or -1. */
function findCloser(s, start, mark) {
  for (let j = start + 1; j < s.length; j++) {
    const c = s[j];
    if (c === "<") {
      const end = s.indexOf(">", j);
      if (end > 0) { j = end; continue; }
    }
    if (c === "`") {
      const end = s.indexOf("`", j + 1);
      if (end > 0) { j = end; continue; }
    }
    if (c === mark && j > start + 1 && !isSpace(s[j - 1]) && isCloseBoundary(s[j + 1])) return j;
  }
  return -1;
}

const BARE_URL = /https?:\/\/[^\s<>|]*[^\s<>|.,;:!?)'"”’]/g;

/** Text with emoji, and (unless verbatim) bare http(s) URLs as links, as Slack does. */
function appendText(parent, text, verbatim) {
  if (verbatim) return appendWithEmoji(parent, text);
  let last = 0;
  for (const m of text.matchAll(BARE_URL)) {
    if (m.index > last) appendWithEmoji(parent, text.slice(last, m.index));
    const a = document.createElement("a");
    a.href = m[0];
    a.rel = "noopener noreferrer";
    a.target = "_blank";
    a.textContent = m[0];
    parent.append(a);
    last = m.index + m[0].length;
  }
  if (last < text.length) appendWithEmoji(parent, text.slice(last));
}

function renderInline(s, parent, ctx, verbatim) {
  let buf = "";
  const flush = () => {
    if (buf) appendText(parent, decodeEntities(buf), verbatim);
    buf = "";
  };
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === "`") {
      const end = s.indexOf("`", i + 1);
      if (end > i + 1) {
        flush();
        const code = document.createElement("code");
        code.className = "mk-code";
        code.textContent = decodeEntities(s.slice(i + 1, end));
        parent.append(code);
        i = end;
        continue;
      }
    }
    if (c === "<") {
      const end = s.indexOf(">", i + 1);
      if (end > i + 1) {
        flush();
        renderAngle(s.slice(i + 1, end), parent, ctx);
        i = end;
        continue;
      }
    }
    if (MARKS[c] && isOpenBoundary(s[i - 1]) && !isSpace(s[i + 1])) {
      const end = findCloser(s, i, c);
      if (end > 0) {
        flush();
        const el = document.createElement(MARKS[c]);
        renderInline(s.slice(i + 1, end), el, ctx, verbatim);
        parent.append(el);
        i = end;
        continue;
      }
    }
    buf += c;
  }
  flush();
}

/** `<…>`: a link, mention, channel or special. */
function renderAngle(inner, parent, ctx) {
  const bar = inner.indexOf("|");
  const target = bar >= 0 ? inner.slice(0, bar) : inner;
  const label = bar >= 0 ? inner.slice(bar + 1) : null;
  const span = (cls, text, title) => {
    const el = document.createElement("span");
    el.className = cls;
    el.textContent = text;
    if (title) el.title = title;
    parent.append(el);
  };
  if (target.startsWith("@")) {
    const id = target.slice(1);
    const p = ctx.person?.(id);
    const name = p ? (p.real_name || p.name) : (label ? decodeEntities(label).replace(/^@/, "") : id);
    span("mention", "@" + name, p?.title || undefined);
    return;
  }
  if (target.startsWith("#")) {
    const id = target.slice(1);
    const ch = ctx.channel?.(id);
    const name = ch ? ch.name : (label ? decodeEntities(label) : id);
    span("mention mention-channel", "#" + name);
    return;
  }
  if (target.startsWith("!")) {
    const word = target.slice(1);
    if (["here", "channel", "everyone"].includes(word)) {
      span("mention mention-broadcast", "@" + word);
    } else if (label) {
      span("mention", decodeEntities(label));
    } else {
      span("mention", "@" + decodeEntities(word.replace(/^subteam\^/, "")));
    }
    return;
  }
  const url = decodeEntities(target);
  const text = label !== null ? decodeEntities(label) : url.replace(/^mailto:/i, "");
  if (SAFE_URL.test(url)) {
    const a = document.createElement("a");
    a.href = url;
    a.rel = "noopener noreferrer";
    a.target = "_blank";
    appendWithEmoji(a, text);
    parent.append(a);
  } else {
    appendWithEmoji(parent, text);
  }
}

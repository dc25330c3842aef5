// The gallery: a grid of the library's assets, newest first, searched and filtered through
// /api/assets, opened in a detail view with lineage, and kept current over /ws/events.
// Plain DOM, no build step; text from the library is only ever set as textContent.
"use strict";

const PAGE = 60;
const grid = document.querySelector(".grid");
const form = document.querySelector(".filters");
const statusLine = document.querySelector(".status");
const detail = document.querySelector("dialog.detail");
const liveMark = document.querySelector(".live");
const sentinel = document.querySelector(".more");

let cursor = null;      // the next page's cursor; null at the end
let loading = null;     // the page request in flight
let generation = 0;     // bumps on every new search, so stale pages are dropped
let shown = 0;

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "text") node.textContent = value;
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

function filters() {
  const data = new FormData(form);
  const params = new URLSearchParams();
  for (const [name, value] of data) if (String(value).trim()) params.set(name, String(value).trim());
  return params;
}

function money(asset) {
  if (asset.price === null || asset.price === undefined) return null;
  if (asset.price_unit === "usd") return `$${asset.price.toFixed(asset.price < 0.1 ? 3 : 2)}`;
  return `${asset.price} ${asset.price_unit || ""}`.trim();
}

function when(stamp) {
  const date = new Date(stamp);
  return isNaN(date) ? stamp : date.toLocaleString();
}

function preview(asset, large) {
  if (asset.kind === "image") {
    return el("img", { src: large ? asset.url : asset.thumb, alt: asset.prompt || asset.id,
      loading: large ? "eager" : "lazy", decoding: "async" });
  }
  if (asset.kind === "video") {
    const video = el("video", { poster: asset.thumb, src: asset.url, muted: true, loop: !large,
      playsinline: true, preload: large ? "auto" : "none", controls: large });
    video.muted = true;
    if (!large) {
      video.addEventListener("mouseenter", () => video.play().catch(() => {}));
      video.addEventListener("mouseleave", () => { video.pause(); });
    }
    return video;
  }
  if (asset.kind === "audio") return el("audio", { src: asset.url, controls: true, preload: "none" });
  const text = el("pre", { text: "…" });
  fetch(asset.url).then((r) => r.text()).then((t) => { text.textContent = t; }).catch(() => {});
  return text;
}

function tile(asset) {
  const item = el("li", { class: "tile", tabindex: 0, "data-asset-id": asset.id,
    "data-kind": asset.kind });
  const meta = el("div", { class: "meta" },
    el("span", { text: asset.provider || "" }), el("span", { text: asset.model || "" }),
    money(asset) && el("span", { text: money(asset) }),
    el("time", { datetime: asset.created_at, text: when(asset.created_at) }));
  item.append(el("div", { class: "frame" }, preview(asset, false)),
    el("div", { class: "facts" }, el("span", { class: "prompt", text: asset.prompt || "(no prompt)" }), meta));
  item.addEventListener("click", () => openDetail(asset.id));
  return item;
}

function matches(asset) {
  const params = filters();
  if (params.get("provider") && asset.provider !== params.get("provider")) return false;
  if (params.get("kind") && asset.kind !== params.get("kind")) return false;
  const words = (params.get("q") || "").toLowerCase().match(/[\p{L}\p{N}_]+/gu) || [];
  const prompt = (asset.prompt || "").toLowerCase();
  const promptWords = prompt.match(/[\p{L}\p{N}_]+/gu) || [];
  if (!words.every((w) => promptWords.some((p) => p.startsWith(w)))) return false;
  const day = asset.created_at.slice(0, 10);
  if (params.get("since") && day < params.get("since")) return false;
  if (params.get("until") && day > params.get("until")) return false;
  return true;
}

function say(text) { statusLine.textContent = text; }

async function loadPage(fresh) {
  if (fresh) {
    generation += 1;
    cursor = null;
  } else if (loading || cursor === null) {
    return;
  }
  const mine = generation;
  const params = filters();
  params.set("limit", String(PAGE));
  if (cursor) params.set("cursor", cursor);
  const request = fetch(`/api/assets?${params}`).then(async (response) => {
    const body = await response.json();
    if (!response.ok) throw new Error(body.error || response.statusText);
    return body;
  });
  loading = request;
  try {
    const body = await request;
    if (mine !== generation) return;
    if (fresh) { grid.replaceChildren(); shown = 0; }
    for (const asset of body.assets) grid.append(tile(asset));
    shown += body.assets.length;
    cursor = body.next_cursor;
    say(shown ? `${shown}${cursor ? "+" : ""} assets` : "Nothing here yet: make something with dave.");
  } catch (error) {
    if (mine === generation) say(error.message);
  } finally {
    if (loading === request) loading = null;
  }
  if (mine === generation && cursor && sentinelVisible()) loadPage(false);
}

function sentinelVisible() {
  const box = sentinel.getBoundingClientRect();
  return box.top < window.innerHeight + 600;
}

new IntersectionObserver((entries) => {
  if (entries.some((entry) => entry.isIntersecting)) loadPage(false);
}, { rootMargin: "600px" }).observe(sentinel);

let typing = null;
form.addEventListener("input", () => {
  clearTimeout(typing);
  typing = setTimeout(() => loadPage(true), 120);
});
form.addEventListener("submit", (event) => { event.preventDefault(); loadPage(true); });

async function fillFilters() {
  const response = await fetch("/api/providers");
  if (!response.ok) return;
  const body = await response.json();
  const provider = form.elements.provider;
  for (const entry of body.providers) provider.append(el("option", { value: entry.name, text: entry.label }));
  const kind = form.elements.kind;
  for (const name of body.kinds) kind.append(el("option", { value: name, text: name }));
}

// -- the detail view -----------------------------------------------------------------------

function facts(pairs) {
  const list = el("dl");
  for (const [name, value] of pairs) {
    if (value === null || value === undefined || value === "") continue;
    list.append(el("dt", { text: name }), el("dd", { text: String(value) }));
  }
  return list;
}

function lineageLink(asset, field) {
  const link = el("a", { href: `#${asset.id}`, "data-source-id": field ? asset.id : null,
    "data-derived-id": field ? null : asset.id, title: asset.prompt || asset.id });
  if (asset.thumb) link.append(el("img", { src: asset.thumb, alt: asset.prompt || asset.id }));
  link.append(el("span", { text: field ? `${field}: ${asset.id}` : asset.id }));
  link.addEventListener("click", (event) => { event.preventDefault(); openDetail(asset.id); });
  return link;
}

async function openDetail(assetId) {
  const response = await fetch(`/api/assets/${encodeURIComponent(assetId)}`);
  const body = await response.json();
  if (!response.ok) { say(body.error || "cannot open it"); return; }
  const { asset, job, events, sources, derived, published } = body;
  const publish = el("button", { type: "button", class: "publish", text: "Publish" });
  const links = el("ul", { class: "published" });
  for (const row of published) links.append(el("li", { text: `${row.target}: ${row.url}` }));
  publish.addEventListener("click", async () => {
    publish.disabled = true;
    const answer = await fetch(`/api/assets/${asset.id}/publish`, { method: "POST",
      headers: { "content-type": "application/json" }, body: JSON.stringify({ target: "local" }) });
    const row = await answer.json();
    links.append(el("li", { text: answer.ok ? `${row.target}: ${row.url}` : row.error }));
    publish.disabled = false;
  });
  const side = el("div", { class: "side" },
    el("button", { type: "button", class: "close", text: "Close", "aria-label": "Close" }),
    el("h2", { text: asset.prompt || "(no prompt)" }),
    facts([["id", asset.id], ["kind", asset.kind], ["provider", asset.provider], ["model", asset.model],
      ["price", money(asset)], ["size", asset.width ? `${asset.width}×${asset.height}` : null],
      ["duration", asset.duration_s ? `${asset.duration_s.toFixed(1)} s` : null],
      ["type", asset.mime], ["bytes", asset.bytes], ["sha256", asset.sha256],
      ["made", when(asset.created_at)]]),
    el("h3", { text: "Made from" }),
    sources.length ? el("div", { class: "lineage sources" }, ...sources.map((s) => lineageLink(s.asset, s.field)))
      : el("p", { class: "meta", text: "nothing in the library" }),
    el("h3", { text: "Made into" }),
    derived.length ? el("div", { class: "lineage derived" }, ...derived.map((d) => lineageLink(d, null)))
      : el("p", { class: "meta", text: "nothing yet" }),
    el("h3", { text: "Parameters" }), el("pre", { text: JSON.stringify(asset.params, null, 2) }),
    job && el("h3", { text: `Job ${job.id}: ${job.state}` }),
    job && el("ul", { class: "events" }, ...events.map((e) =>
      el("li", { text: `${when(e.at)} ${e.state}${e.detail ? `: ${e.detail}` : ""}` }))),
    el("h3", { text: "Publish" }), publish, links);
  side.querySelector(".close").addEventListener("click", () => closeDetail());
  const view = el("div", { class: "view" }, preview(asset, true));
  detail.replaceChildren(el("div", { class: "detail-body", "data-detail": asset.id }, view, side));
  if (!detail.open) detail.showModal();
  history.replaceState(null, "", `#${asset.id}`);
}

function closeDetail() {
  for (const media of detail.querySelectorAll("video, audio")) media.pause();
  detail.close();
}

detail.addEventListener("close", () => {
  detail.replaceChildren();
  history.replaceState(null, "", location.pathname + location.search);
  const back = grid.querySelector(`[data-asset-id="${CSS.escape(lastOpened || "")}"]`);
  if (back) back.focus();
});
detail.addEventListener("click", (event) => { if (event.target === detail) closeDetail(); });

// -- the keyboard: arrows move through the grid, Enter opens, Esc closes ---------------------

let lastOpened = null;
grid.addEventListener("keydown", (event) => {
  const current = event.target.closest(".tile");
  if (!current) return;
  const tiles = [...grid.children];
  const index = tiles.indexOf(current);
  const columns = Math.max(1, Math.round(grid.clientWidth / current.getBoundingClientRect().width));
  const step = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: columns, ArrowUp: -columns }[event.key];
  if (step) {
    event.preventDefault();
    const next = tiles[Math.min(tiles.length - 1, Math.max(0, index + step))];
    next.focus();
    next.scrollIntoView({ block: "nearest" });
    if (index + step >= tiles.length - columns) loadPage(false);
  } else if (event.key === "Enter") {
    event.preventDefault();
    lastOpened = current.dataset.assetId;
    openDetail(lastOpened);
  }
});
grid.addEventListener("click", (event) => {
  const current = event.target.closest(".tile");
  if (current) lastOpened = current.dataset.assetId;
});
document.addEventListener("keydown", (event) => {
  if (event.key === "/" && document.activeElement !== form.elements.q && !detail.open) {
    event.preventDefault();
    form.elements.q.focus();
  }
});

// -- live updates ----------------------------------------------------------------------------

let retry = 500;
function connect() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const socket = new WebSocket(`${scheme}://${location.host}/ws/events`);
  socket.addEventListener("open", () => { liveMark.dataset.live = "open"; retry = 500; });
  socket.addEventListener("message", (message) => {
    const data = JSON.parse(message.data);
    if (data.kind === "asset" && matches(data.asset)
        && !grid.querySelector(`[data-asset-id="${CSS.escape(data.asset.id)}"]`)) {
      const item = tile(data.asset);
      item.classList.add("fresh");
      grid.prepend(item);
      shown += 1;
      say(`${shown}${cursor ? "+" : ""} assets`);
    } else if (data.kind === "job") {
      liveMark.title = `job ${data.job_id}: ${data.state}`;
    }
  });
  socket.addEventListener("close", () => {
    liveMark.dataset.live = "closed";
    setTimeout(connect, retry);
    retry = Math.min(retry * 2, 10000);
  });
}

fillFilters().finally(() => {
  loadPage(true);
  connect();
  if (location.hash.startsWith("#a_")) openDetail(location.hash.slice(1));
});

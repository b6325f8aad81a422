// The chat page of `omzien demo`: play several people and watch the whole signal chain.
// It only talks to the sandbox control API (/sandbox/...) described in omzien/sandbox/__init__.py.
'use strict';

const BOT_NAME_FALLBACK = 'Omzien';
const POLL_TIMEOUT_SECONDS = 25;
const TOAST_MILLISECONDS = 4000;
const NAME_COLOURS = ['#b4233c', '#1d5fa8', '#8a4b00', '#0b6e4f', '#6b3fa0', '#a1366f', '#2f6b1f'];
// What a person reads when a button did not work; the server's own (English) words go to the console.
const BUTTON_CHANGED = 'Deze knop is veranderd. Kijk naar het bericht hierboven.';
const REPLY_BUTTON_CHANGED = 'Deze knop is veranderd. Kijk naar de knoppen hieronder.';
const MESSAGE_GONE = 'Dit bericht is er niet meer.';
const BUTTON_UNSUPPORTED = 'Deze knop werkt niet in de demo.';
const BUTTON_FAILED = 'Die knop werkt nu niet. Probeer het zo nog eens.';

const state = {
  personas: [],            // [{user_id, name, description, chat_ids}]
  activeId: null,          // user_id of the person being played
  chatOf: new Map(),       // user_id -> chat id this person has open (kept when switching)
  draftOf: new Map(),      // user_id -> text typed but not sent yet
  chatIdsOf: new Map(),    // user_id -> [chat ids], their private chat first
  chats: new Map(),        // chat id -> chat as GET /sandbox/chats/{id} gives it (null: not there yet)
  seenUpTo: new Map(),     // "user:chat" -> highest message_id this person has seen
  answersShown: new Map(), // user_id -> how many callback answers were already shown
  version: 0,              // last version from /sandbox/changes
  loadedOnce: false,
};

const $ = (id) => document.getElementById(id);

// ---------------------------------------------------------------- talking to the server

async function api(path, options = {}) {
  const response = await fetch('/sandbox' + path, { signal: AbortSignal.timeout(40000), ...options });
  const body = await response.json().catch(() => null);
  if (!response.ok) {
    const reason = body && (body.description || body.error || body.detail);
    const error = new Error(reason || `HTTP ${response.status}`);
    error.status = response.status;
    error.reason = body && body.reason; // a stable word: "no_button", "no_message", …
    throw error;
  }
  return body;
}

function post(path, body) {
  return api(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
}

async function chatOrNull(chatId) {
  try {
    return await api(`/chats/${chatId}`);
  } catch (error) {
    if (error.status === 404) return null; // shown as an empty chat
    throw error;
  }
}

// Load everything every person sees. A demo has a handful of people and chats, so this is cheap
// and keeps the page simple: one picture of the world, rendered after every change.
async function loadEverything() {
  state.personas = await api('/personas');
  const listed = await Promise.all(state.personas.map(
    (person) => api(`/users/${person.user_id}/chats`).catch(() => null)));
  const existing = new Set(); // fetch only chats the server says exist: no 404s for chats not started
  state.personas.forEach((person, index) => {
    const known = (person.chat_ids || []).map(Number);
    const visible = listed[index] ? listed[index].map((chat) => Number(chat.id)) : known;
    visible.forEach((id) => existing.add(id));
    state.chatIdsOf.set(person.user_id, [...new Set([person.user_id, ...known, ...visible])]);
  });
  const ids = [...existing];
  const chats = await Promise.all(ids.map(chatOrNull));
  state.chats = new Map(ids.map((id, index) => [id, chats[index]]));

  if (!state.loadedOnce) markEverythingSeen();
  state.loadedOnce = true;
  if (state.activeId === null || !personaById(state.activeId)) {
    const remembered = Number(sessionStorage.getItem('omzien-persona'));
    state.activeId = personaById(remembered) ? remembered : (state.personas[0] || {}).user_id ?? null;
  }
  if (state.activeId !== null) await showNewAnswer(state.activeId);
}

let refreshing = null;
let refreshAgain = false;

// Refreshes never overlap: a change during a refresh runs one more refresh after it.
function refresh() {
  if (refreshing) {
    refreshAgain = true;
    return refreshing;
  }
  refreshing = (async () => {
    do {
      refreshAgain = false;
      await loadEverything();
      render();
    } while (refreshAgain);
  })().finally(() => { refreshing = null; });
  return refreshing;
}

// Long-poll /sandbox/changes; wait longer after each failure so a stopped server is not hammered.
async function watchChanges() {
  let delay = 1000;
  let stale = false; // after a failure the server may have restarted: load everything again
  for (;;) {
    try {
      if (stale) {
        // a restarted server counts message ids and answers from the start: forget what was seen
        state.loadedOnce = false;
        state.answersShown.clear();
        await refresh();
      }
      stale = false;
      const { version } = await api(`/changes?since=${state.version}&timeout=${POLL_TIMEOUT_SECONDS}`);
      showConnection(true);
      delay = 1000;
      if (version !== state.version) {
        state.version = version;
        await refresh();
      }
    } catch (error) {
      showConnection(false);
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 30000);
      state.version = 0; // a restarted server counts from the start again
      stale = true;
    }
  }
}

function showConnection(ok) {
  const banner = $('connection');
  banner.hidden = ok;
  banner.textContent = ok ? '' : 'Geen verbinding met de demo. Draait "omzien demo" nog? Ik probeer het opnieuw…';
}

// ---------------------------------------------------------------- what a person has seen

function personaById(id) {
  return state.personas.find((person) => person.user_id === id);
}

function messagesOf(chatId) {
  const chat = state.chats.get(chatId);
  return chat ? chat.messages : [];
}

function newestId(chatId) {
  return messagesOf(chatId).reduce((max, message) => Math.max(max, message.message_id), 0);
}

function markSeen(userId, chatId) {
  state.seenUpTo.set(`${userId}:${chatId}`, newestId(chatId));
}

function markEverythingSeen() {
  for (const [userId, chatIds] of state.chatIdsOf) chatIds.forEach((chatId) => markSeen(userId, chatId));
}

function unreadIn(userId, chatId) {
  const seen = state.seenUpTo.get(`${userId}:${chatId}`) ?? 0;
  return messagesOf(chatId).filter((m) => m.message_id > seen && (!m.from || m.from.id !== userId)).length;
}

function unreadOf(userId) {
  return (state.chatIdsOf.get(userId) || []).reduce((sum, chatId) => sum + unreadIn(userId, chatId), 0);
}

// The chat to open for a person: one with news, else the one they had open, else the liveliest.
function chatToOpen(userId) {
  const chatIds = state.chatIdsOf.get(userId) || [userId];
  const unread = chatIds.find((chatId) => unreadIn(userId, chatId) > 0);
  if (unread !== undefined) return unread;
  if (state.chatOf.has(userId)) return state.chatOf.get(userId);
  const lastDate = (chatId) => messagesOf(chatId).reduce((max, m) => Math.max(max, m.date || 0), 0);
  return chatIds.reduce((best, chatId) => (lastDate(chatId) > lastDate(best) ? chatId : best), chatIds[0]);
}

// ---------------------------------------------------------------- small DOM helpers

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

// Put `nodes` into `container` in this order, moving existing nodes instead of rebuilding them
// (so focus, scroll position and running animations survive a refresh).
function reconcile(container, nodes) {
  nodes.forEach((node, index) => {
    if (container.children[index] !== node) container.insertBefore(node, container.children[index] || null);
  });
  while (container.children.length > nodes.length) container.lastElementChild.remove();
}

function initials(name) {
  const words = name.replace(/^(mevrouw|meneer|mevr\.|dhr\.)\s+/i, '').split(/\s+/).filter(Boolean);
  return words.slice(0, 2).map((word) => word[0].toUpperCase()).join('') || '?';
}

function colourFor(id) {
  return NAME_COLOURS[Math.abs(Number(id)) % NAME_COLOURS.length];
}

function botName() {
  for (const chat of state.chats.values()) {
    const fromBot = chat && chat.messages.find((m) => m.from && m.from.is_bot);
    if (fromBot) return fromBot.from.first_name;
  }
  return BOT_NAME_FALLBACK;
}

function chatTitle(chatId) {
  const chat = state.chats.get(chatId);
  if (chat && chat.title) return chat.title; // for a private chat the server names it after the bot
  return isGroup(chatId) ? 'Groep' : botName();
}

function isGroup(chatId) {
  const chat = state.chats.get(chatId);
  return chat ? chat.type !== 'private' : chatId < 0;
}

function fillAvatar(avatar, chatId) {
  avatar.className = 'avatar ' + (isGroup(chatId) ? 'avatar-group' : 'avatar-bot');
  avatar.textContent = initials(chatTitle(chatId)).slice(0, isGroup(chatId) ? 2 : 1);
}

const timeFormat = new Intl.DateTimeFormat('nl-NL', { hour: '2-digit', minute: '2-digit' });
const dayFormat = new Intl.DateTimeFormat('nl-NL', { weekday: 'long', day: 'numeric', month: 'long' });

function dayLabel(date) {
  const today = new Date();
  return date.toDateString() === today.toDateString() ? 'Vandaag' : dayFormat.format(date);
}

function plainPreview(message) {
  if (message.contact) return `📱 ${message.contact.phone_number}`;
  const text = message.text || (message.media ? message.media.file_name || 'Bestand' : '');
  return text.replace(/\s+/g, ' ').trim();
}

// ---------------------------------------------------------------- rendering

function render() {
  renderPersonas();
  const userId = state.activeId;
  const person = personaById(userId);
  document.body.classList.toggle('no-persona', !person);
  if (!person) return;
  if (!state.chatOf.has(userId)) state.chatOf.set(userId, chatToOpen(userId));
  const chatId = state.chatOf.get(userId);
  markSeen(userId, chatId);
  renderChatList(userId, chatId);
  renderChat(person, chatId);
  renderPersonas(); // again: opening the chat may have cleared an unread badge
}

const personaButtons = new Map();

function renderPersonas() {
  const container = $('personas');
  if (!state.personas.length) {
    container.replaceChildren(el('p', 'muted', 'Nog geen personen. Start de demo met "omzien demo".'));
    personaButtons.clear();
    return;
  }
  const nodes = state.personas.map((person) => {
    let button = personaButtons.get(person.user_id);
    if (!button) {
      button = el('button', 'persona');
      button.type = 'button';
      button.addEventListener('click', () => switchPersona(person.user_id));
      personaButtons.set(person.user_id, button);
    }
    const avatar = el('span', 'avatar', initials(person.name));
    avatar.style.background = colourFor(person.user_id);
    avatar.setAttribute('aria-hidden', 'true');
    const words = el('span', 'persona-words');
    words.append(el('span', 'persona-name', person.name), el('span', 'persona-role', person.description || ''));
    const unread = person.user_id === state.activeId ? 0 : unreadOf(person.user_id);
    const parts = [avatar, words];
    if (unread) parts.push(badge(unread));
    button.replaceChildren(...parts);
    button.setAttribute('aria-pressed', String(person.user_id === state.activeId));
    button.setAttribute('aria-label', [person.name, person.description, unread && unreadLabel(unread)]
      .filter(Boolean).join(', '));
    return button;
  });
  reconcile(container, nodes);
}

function badge(count) {
  const node = el('span', 'badge', String(count));
  node.setAttribute('aria-hidden', 'true'); // the button's label says it in words
  return node;
}

function unreadLabel(count) {
  return count === 1 ? '1 nieuw bericht' : `${count} nieuwe berichten`;
}

const chatButtons = new Map();

function renderChatList(userId, openChatId) {
  const nodes = (state.chatIdsOf.get(userId) || [userId]).map((chatId) => {
    const key = `${userId}:${chatId}`;
    let button = chatButtons.get(key);
    if (!button) {
      button = el('button', 'chat-item');
      button.type = 'button';
      button.addEventListener('click', () => openChat(userId, chatId));
      chatButtons.set(key, button);
    }
    const avatar = el('span');
    avatar.setAttribute('aria-hidden', 'true');
    fillAvatar(avatar, chatId);
    const messages = messagesOf(chatId);
    const last = messages[messages.length - 1];
    const words = el('span', 'chat-item-words');
    words.append(el('span', 'chat-item-title', chatTitle(chatId)),
      el('span', 'chat-item-preview', last ? plainPreview(last) : 'Nog geen berichten'));
    const unread = chatId === openChatId ? 0 : unreadIn(userId, chatId);
    button.replaceChildren(avatar, words, ...(unread ? [badge(unread)] : []));
    button.setAttribute('aria-pressed', String(chatId === openChatId));
    button.setAttribute('aria-label', [chatTitle(chatId), unread && unreadLabel(unread)].filter(Boolean).join(', '));
    return button;
  });
  reconcile($('chat-list'), nodes);
  $('chats-title').textContent = `Gesprekken van ${personaById(userId).name}`;
}

const messageNodes = new Map(); // "chat:message" -> {signature, node}
let renderedChat = null;

function renderChat(person, chatId) {
  const list = $('messages');
  const switched = renderedChat !== `${person.user_id}:${chatId}`;
  if (switched) {
    messageNodes.clear();
    list.replaceChildren();
    renderedChat = `${person.user_id}:${chatId}`;
  }
  $('chat-title').textContent = chatTitle(chatId);
  $('chat-subtitle').textContent = chatSubtitle(chatId);
  fillAvatar($('chat-avatar'), chatId);
  $('message-input').placeholder = `Bericht als ${person.name}`;

  const messages = messagesOf(chatId);
  const nodes = [];
  let previousDay = null;
  let sentByMe = false;
  for (const message of messages) {
    const day = dayLabel(new Date(message.date * 1000));
    if (day !== previousDay) nodes.push(daySeparator(day));
    previousDay = day;
    const key = `${chatId}:${message.message_id}`;
    const signature = JSON.stringify([message.text, message.html, message.edit_date, message.buttons, message.media,
      message.contact]);
    const known = messageNodes.get(key);
    if (known && known.signature === signature) {
      nodes.push(known.node);
      continue;
    }
    const node = messageElement(message, chatId, person.user_id);
    if (known) {
      moveFocus(known.node, node);
      node.classList.add('just-edited'); // shows the in-place edit for a moment
    } else if (!switched && message.from && message.from.id === person.user_id) {
      sentByMe = true;
    }
    messageNodes.set(key, { signature, node });
    nodes.push(node);
  }
  if (!messages.length) {
    // kept between refreshes, so the Start button keeps keyboard focus
    if (!messageNodes.has('empty')) messageNodes.set('empty', { node: emptyChat(chatId, person) });
    nodes.push(messageNodes.get('empty').node);
  }
  const wasAtBottom = stickToBottom;
  renderReplyKeyboard(chatId); // first: it changes the height of the list
  reconcile(list, nodes);
  if (switched || wasAtBottom || sentByMe) scrollToNewest();
}

// Follow new messages only while the reader is at the bottom, so reading back is not disturbed.
let stickToBottom = true;

function scrollToNewest() {
  const list = $('messages');
  list.scrollTop = list.scrollHeight;
  stickToBottom = true;
}

function watchScrolling() {
  const list = $('messages');
  list.addEventListener('scroll', () => {
    stickToBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 120;
  });
  // The list gets shorter when a reply keyboard appears or the window changes: stay at the bottom.
  new ResizeObserver(() => { if (stickToBottom) list.scrollTop = list.scrollHeight; }).observe(list);
}

// Keep keyboard focus on the same button when a message is replaced by its edited version.
function moveFocus(oldNode, newNode) {
  const focused = document.activeElement;
  if (!oldNode.contains(focused)) return;
  const index = [...oldNode.querySelectorAll('.kb-btn')].indexOf(focused);
  const buttons = newNode.querySelectorAll('.kb-btn');
  requestAnimationFrame(() => (buttons[Math.min(index, buttons.length - 1)] || $('message-input')).focus());
}

const daySeparators = new Map();

function daySeparator(label) {
  if (!daySeparators.has(label)) daySeparators.set(label, el('div', 'day', label));
  return daySeparators.get(label);
}

function chatSubtitle(chatId) {
  if (!isGroup(chatId)) return 'bot';
  const chat = state.chats.get(chatId);
  const names = chat && chat.members ? chat.members.map((member) => member.first_name)
    : state.personas.filter((p) => (state.chatIdsOf.get(p.user_id) || []).includes(chatId)).map((p) => p.name);
  return `groep · ${names.concat(botName()).join(', ')}`;
}

function emptyChat(chatId, person) {
  const box = el('div', 'empty');
  if (isGroup(chatId)) {
    box.append(el('p', null, 'Nog geen berichten in deze groep.'));
    return box;
  }
  box.append(el('p', 'empty-title', `${person.name} heeft nog niet met ${botName()} gepraat.`),
    el('p', null, 'Stuur /start om te beginnen.'));
  const start = el('button', 'primary', 'Start');
  start.type = 'button';
  start.addEventListener('click', () => sendText('/start'));
  box.append(start);
  return box;
}

function messageElement(message, chatId, me) {
  const mine = Boolean(message.from && message.from.id === me);
  const node = el('div', `msg ${mine ? 'msg-out' : 'msg-in'}`);
  if (message.buttons && message.buttons.length) node.classList.add('has-keyboard');
  const bubble = el('div', 'bubble');
  const sender = mine ? 'U' : (message.from ? message.from.first_name : botName());
  if (isGroup(chatId) && !mine) {
    const name = el('div', 'sender', sender);
    name.style.color = message.from && message.from.is_bot ? 'var(--brand-dark)' : colourFor(message.from.id);
    name.setAttribute('aria-hidden', 'true');
    bubble.append(name);
  }
  if (message.media) bubble.append(mediaElement(message.media));
  const text = el('div', 'text');
  if (message.html) text.innerHTML = message.html; // the server gives sanitised Telegram HTML
  else text.textContent = message.text || '';
  if (message.contact) text.append(contactElement(message.contact)); // a contact has no text
  neutraliseLinks(text);
  text.prepend(el('span', 'visually-hidden', `${sender}: `));
  const when = new Date(message.date * 1000);
  const meta = el('span', 'meta');
  if (message.edit_date) meta.append(el('span', 'edited', 'bewerkt'));
  const time = el('time', null, timeFormat.format(when));
  time.dateTime = when.toISOString();
  meta.append(time);
  text.append(meta); // inside the text so it floats at the end of the last line, like Telegram
  bubble.append(text);
  node.append(bubble);
  if (message.buttons && message.buttons.length) node.append(inlineKeyboard(message));
  return node;
}

// A photo shows as a picture, a document as a link to the file the server keeps.
function mediaElement(media) {
  if (media.type === 'photo') {
    const image = el('img', 'photo');
    image.src = media.url;
    image.alt = media.file_name || 'Foto';
    return image;
  }
  const link = el('a', 'document', `📎 ${media.file_name || 'Bestand'}`);
  link.href = media.url;
  link.target = '_blank';
  link.rel = 'noopener noreferrer';
  return link;
}

// A shared contact shows as a card with the name and the (invented) phone number, like Telegram.
function contactElement(contact) {
  const card = el('div', 'contact');
  const icon = el('span', 'contact-icon', '📱');
  icon.setAttribute('aria-hidden', 'true');
  const words = el('span', 'contact-words');
  words.append(el('span', 'contact-name', [contact.first_name, contact.last_name].filter(Boolean).join(' ')),
    el('span', 'contact-phone', contact.phone_number));
  card.append(icon, words);
  return card;
}

// tg:// links only work inside Telegram: show their text; open other links in a new tab.
function neutraliseLinks(container) {
  for (const link of container.querySelectorAll('a[href]')) {
    if (/^tg:/i.test(link.getAttribute('href'))) {
      const span = el('span', 'tg-link', link.textContent);
      span.title = 'Deze link werkt alleen in Telegram';
      link.replaceWith(span);
    } else {
      link.target = '_blank';
      link.rel = 'noopener noreferrer';
    }
  }
}

function inlineKeyboard(message) {
  const keyboard = el('div', 'inline-keyboard');
  keyboard.setAttribute('role', 'group');
  keyboard.setAttribute('aria-label', 'Knoppen bij dit bericht');
  for (const row of message.buttons) {
    const rowNode = el('div', 'kb-row');
    for (const button of row) rowNode.append(keyboardButton(button, message.message_id));
    keyboard.append(rowNode);
  }
  return keyboard;
}

function keyboardButton(button, messageId) {
  if (button.url && /^tg:/i.test(button.url)) {
    const span = el('span', 'kb-btn kb-static', button.text);
    span.title = 'Deze knop werkt alleen in Telegram';
    return span;
  }
  if (button.url) {
    const link = el('a', 'kb-btn kb-link', button.text);
    link.href = button.url;
    link.target = '_blank';
    link.rel = 'noopener noreferrer';
    return link;
  }
  const node = el('button', 'kb-btn', button.text);
  node.type = 'button';
  node.dataset.messageId = messageId;
  node.dataset.label = button.text;
  if (button.callback_data !== undefined) node.dataset.callbackData = button.callback_data;
  return node;
}

// The bot's reply keyboard stays until the bot replaces or removes it; the server says which one
// shows (older servers only marked the message that brought it).
function currentReplyKeyboard(chatId) {
  const chat = state.chats.get(chatId);
  if (chat && 'reply_keyboard' in chat) {
    return chat.reply_keyboard && chat.reply_keyboard.length ? chat.reply_keyboard : null;
  }
  const messages = messagesOf(chatId);
  for (let i = messages.length - 1; i >= 0; i--) {
    const keyboard = messages[i].reply_keyboard;
    if (keyboard !== null && keyboard !== undefined) return keyboard.length ? keyboard : null;
  }
  return null;
}

let renderedReplyKeyboard = '';

function renderReplyKeyboard(chatId) {
  const keyboard = currentReplyKeyboard(chatId);
  const container = $('reply-keyboard');
  const signature = JSON.stringify(keyboard);
  if (signature === renderedReplyKeyboard) return;
  renderedReplyKeyboard = signature;
  container.hidden = !keyboard;
  container.replaceChildren(...(keyboard || []).map((row) => {
    const rowNode = el('div', 'kb-row');
    for (const label of row) {
      const text = typeof label === 'string' ? label : label.text; // tolerate KeyboardButton objects
      const button = el('button', 'reply-btn', text);
      button.type = 'button';
      button.addEventListener('click', () => pressReplyButton(text));
      rowNode.append(button);
    }
    return rowNode;
  }));
}

// ---------------------------------------------------------------- actions

function switchPersona(userId) {
  if (userId === state.activeId) return;
  state.draftOf.set(state.activeId, $('message-input').value);
  state.activeId = userId;
  sessionStorage.setItem('omzien-persona', String(userId));
  state.chatOf.set(userId, chatToOpen(userId));
  $('message-input').value = state.draftOf.get(userId) || '';
  $('toast').hidden = true; // it was meant for the person played before
  // Answers meant for this person while someone else was played are old news now.
  showNewAnswer(userId, { quietly: true }).catch(() => {});
  render();
}

function openChat(userId, chatId) {
  state.chatOf.set(userId, chatId);
  render();
}

async function sendText(text) {
  const userId = state.activeId;
  const chatId = state.chatOf.get(userId);
  if (!text.trim() || userId === null) return false;
  try {
    await post(`/chats/${chatId}/messages`, { from_id: userId, text });
    return true;
  } catch (error) {
    showToast(`Versturen lukte niet: ${error.message}`);
    return false;
  }
}

// A tapped button looks busy until the bot answers (or edits the message, which replaces it).
async function tap(button) {
  const userId = state.activeId;
  const chatId = state.chatOf.get(userId);
  button.classList.add('is-busy');
  button.setAttribute('aria-busy', 'true');
  setTimeout(clearBusy, 8000, button);
  try {
    // The data the page saw: a button the bot has just edited away is refused, not swapped for another.
    await post(`/chats/${chatId}/tap`, {
      from_id: userId, label: button.dataset.label, message_id: Number(button.dataset.messageId),
      callback_data: button.dataset.callbackData,
    });
  } catch (error) {
    clearBusy(button);
    await buttonFailed(error, BUTTON_CHANGED);
  }
}

// A reply-keyboard button sends its text, or (request_contact) the person's phone number: the server knows which.
async function pressReplyButton(label) {
  const userId = state.activeId;
  const chatId = state.chatOf.get(userId);
  if (userId === null) return;
  try {
    await post(`/chats/${chatId}/press`, { from_id: userId, label, exact: true });
  } catch (error) {
    await buttonFailed(error, REPLY_BUTTON_CHANGED);
  }
}

// Say in Dutch what went wrong and show the chat as it is now (the bot may just have changed it).
async function buttonFailed(error, changed) {
  console.warn('The button did not work:', error.message);
  const words = { no_button: changed, no_message: MESSAGE_GONE, unsupported_button: BUTTON_UNSUPPORTED };
  showToast(words[error.reason] || BUTTON_FAILED);
  await refresh().catch(() => showConnection(false));
}

function clearBusy(button) {
  for (const node of button ? [button] : document.querySelectorAll('.kb-btn.is-busy')) {
    node.classList.remove('is-busy');
    node.removeAttribute('aria-busy');
  }
}

// Callback answers: the newest one not shown yet, as a toast or (show_alert) as a dialog.
async function showNewAnswer(userId, { quietly = false } = {}) {
  const answers = await api(`/users/${userId}/answers`).catch(() => null);
  if (!Array.isArray(answers)) return;
  const shown = state.answersShown.get(userId);
  state.answersShown.set(userId, answers.length);
  if (shown === undefined || quietly || answers.length <= shown) return;
  clearBusy(); // the bot has answered the tap
  const newest = answers.slice(shown).reverse().find((answer) => answer.text);
  if (!newest || userId !== state.activeId) return;
  if (newest.show_alert) showAlert(newest.text);
  else showToast(newest.text);
}

let toastTimer = null;

function showToast(text) {
  const toast = $('toast');
  toast.textContent = text;
  toast.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { toast.hidden = true; }, TOAST_MILLISECONDS);
}

function showAlert(text) {
  const dialog = $('alert');
  $('alert-text').textContent = text;
  if (!dialog.open) dialog.showModal();
}

// ---------------------------------------------------------------- start

function start() {
  $('composer').addEventListener('submit', async (event) => {
    event.preventDefault();
    const input = $('message-input');
    const text = input.value;
    if (!text.trim()) return;
    input.value = '';
    if (!(await sendText(text))) input.value = text; // nothing lost when sending failed
  });
  $('message-input').addEventListener('input', (event) => state.draftOf.set(state.activeId, event.target.value));
  $('messages').addEventListener('click', (event) => {
    const button = event.target.closest('button.kb-btn');
    if (button && !button.classList.contains('is-busy')) tap(button);
  });
  $('guide').open = matchMedia('(min-width: 760px)').matches;
  watchScrolling();
  refresh().catch(() => showConnection(false)).finally(watchChanges);
}

start();

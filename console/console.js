// The reference pickup console: store staff sign in, watch their store's pickup queue change
// live (customers who say "I'm here" jump to the top, with their note), mark orders ready and hand them over with the customer's code, adding anything bought
// at the counter. Plain browser JavaScript, no build: GraphQL over fetch, and subscriptions over
// a minimal graphql-transport-ws client (the protocol graphql-ws speaks at /graphql).
'use strict';

(() => {
  const ENDPOINT = '/graphql';
  const TOKEN_KEY = 'pickup-console.token';
  const ACTIVE = ['PLACED', 'READY_FOR_PICKUP'];

  const ENTRY = 'id number status createdAt customer { email name } lines { sku title quantity } fulfillment { checkedInAt checkInNote }';
  const Q = {
    signIn: `mutation ConsoleSignIn($email: String!, $password: String!) {
      staffSignIn(email: $email, password: $password) { token staff { email role location { id code name } } userErrors { code message } } }`,
    staffMe: 'query ConsoleStaffMe { staffMe { email role location { id code name } } }',
    stores: 'query ConsoleStores { locations(pickupEnabled: true) { id code name } }',
    queue: `query ConsoleQueue($locationId: ID!) { pickupQueue(locationId: $locationId, statuses: [PLACED, READY_FOR_PICKUP]) { ${ENTRY} } }`,
    live: `subscription ConsoleQueueChanged($locationId: ID!) { pickupQueueChanged(locationId: $locationId) { ${ENTRY} } }`,
    markReady: `mutation ConsoleMarkReady($orderId: ID!) { orderMarkReady(orderId: $orderId) { order { ${ENTRY} } userErrors { code message } } }`,
    handOver: `mutation ConsoleHandOver($orderId: ID!, $pickupCode: String!, $idempotencyKey: String!, $addLines: [CartLineInput!]) {
      orderCompletePickup(orderId: $orderId, pickupCode: $pickupCode, idempotencyKey: $idempotencyKey, addLines: $addLines) {
        order { ${ENTRY} total { amount currencyCode } } userErrors { code message } } }`,
  };

  const $ = (id) => document.getElementById(id);
  const state = { token: sessionStorage.getItem(TOKEN_KEY), staff: null, store: null, orders: new Map(), socket: null, retries: 0, handover: null };

  // --- GraphQL over HTTP ------------------------------------------------------------------------

  class SessionExpired extends Error {}

  async function gql(query, variables = {}) {
    const headers = { 'content-type': 'application/json' }; // also what CSRF prevention asks of a browser
    if (state.token) headers.authorization = `Bearer ${state.token}`;
    const res = await fetch(ENDPOINT, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
    const body = await res.json().catch(() => ({ errors: [{ message: `HTTP ${res.status}` }] }));
    if (body.errors && body.errors.length) {
      if (body.errors.some((e) => e.extensions && e.extensions.code === 'UNAUTHENTICATED')) throw new SessionExpired('Your session has ended: sign in again.');
      throw new Error(body.errors.map((e) => e.message).join('; '));
    }
    return body.data;
  }

  // --- live queue over graphql-transport-ws -----------------------------------------------------

  function connectLive() {
    disconnectLive();
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${ENDPOINT}`;
    const socket = new WebSocket(url, 'graphql-transport-ws');
    state.socket = socket;
    setLive('connecting');
    const send = (message) => socket.readyState === WebSocket.OPEN && socket.send(JSON.stringify(message));
    socket.onopen = () => send({ type: 'connection_init', payload: { authorization: `Bearer ${state.token}` } });
    socket.onmessage = (event) => {
      const message = JSON.parse(event.data);
      if (message.type === 'connection_ack') {
        send({ id: 'queue', type: 'subscribe', payload: { query: Q.live, variables: { locationId: state.store.id } } });
        // The protocol does not confirm a subscription: reload once it has surely started, so a
        // change made while (re)connecting is not missed, and only then show "live".
        setTimeout(() => {
          if (state.socket !== socket) return;
          loadQueue().then(() => state.socket === socket && setLive('live'), showError);
        }, 1000);
      } else if (message.type === 'next') {
        if (message.payload.data) upsert(message.payload.data.pickupQueueChanged, true);
        if (message.payload.errors) showError(new Error(message.payload.errors.map((e) => e.message).join('; ')));
      } else if (message.type === 'error') {
        showError(new Error(message.payload.map((e) => e.message).join('; ')));
      } else if (message.type === 'ping') {
        send({ type: 'pong' });
      }
    };
    socket.onclose = () => {
      if (state.socket !== socket) return;
      setLive('offline');
      // Back off, up to 15 s; the reload after reconnecting catches up on what was missed.
      const delay = Math.min(15000, 1000 * 2 ** state.retries++);
      setTimeout(() => state.socket === socket && state.token && connectLive(), delay);
    };
  }

  function disconnectLive() {
    const socket = state.socket;
    state.socket = null;
    if (socket) socket.close();
  }

  function setLive(mode) {
    const badge = $('live');
    badge.dataset.state = mode;
    badge.textContent = mode === 'live' ? 'live' : mode === 'offline' ? 'offline — reconnecting' : 'connecting…';
    if (mode === 'live') state.retries = 0;
  }

  // --- the queue --------------------------------------------------------------------------------

  async function loadQueue() {
    const { pickupQueue } = await gql(Q.queue, { locationId: state.store.id });
    state.orders = new Map(pickupQueue.map((o) => [o.id, o]));
    render();
  }

  function upsert(order, flash) {
    if (ACTIVE.includes(order.status)) state.orders.set(order.id, order);
    else state.orders.delete(order.id);
    render(flash ? order.id : null);
  }

  function render(flashId) {
    const body = $('queue').tBodies[0];
    body.replaceChildren();
    // As the server orders the queue: customers who have arrived first (in the order they came),
    // then the others, oldest first.
    const arrived = (o) => (o.fulfillment && o.fulfillment.checkedInAt) || '';
    const orders = [...state.orders.values()].sort(
      (a, b) => (arrived(a) ? 0 : 1) - (arrived(b) ? 0 : 1) || arrived(a).localeCompare(arrived(b)) || a.createdAt.localeCompare(b.createdAt),
    );
    for (const order of orders) {
      const row = body.insertRow();
      row.dataset.orderId = order.id;
      row.dataset.orderNumber = order.number;
      if (order.id === flashId) row.className = 'flash';
      if (arrived(order)) row.classList.add('here');
      cell(row, order.number);
      cell(row, order.status === 'PLACED' ? 'Placed' : 'Ready', `status status-${order.status}`);
      cell(row, order.customer ? order.customer.name || order.customer.email : 'Guest');
      cell(row, order.lines.map((l) => `${l.quantity} × ${l.title} (${l.sku})`).join(', '));
      cell(row, new Date(order.createdAt).toLocaleString());
      const here = arrived(order)
        ? `Here since ${new Date(arrived(order)).toLocaleTimeString()}${order.fulfillment.checkInNote ? ` — ${order.fulfillment.checkInNote}` : ''}`
        : '';
      cell(row, here, 'arrival');
      const actions = row.insertCell();
      if (order.status === 'PLACED') actions.append(button('Mark ready', () => markReady(order)));
      else actions.append(button('Hand over', () => openHandover(order)));
    }
    $('queue-empty').hidden = orders.length > 0;
  }

  const cell = (row, text, className) => {
    const td = row.insertCell();
    td.textContent = text;
    if (className) td.className = className;
  };

  const button = (label, onClick) => {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = label;
    b.addEventListener('click', () => onClick().catch(showError));
    return b;
  };

  async function markReady(order) {
    const { orderMarkReady } = await gql(Q.markReady, { orderId: order.id });
    if (orderMarkReady.userErrors.length) return showMessage(orderMarkReady.userErrors.map((e) => e.message).join('; '));
    upsert(orderMarkReady.order, true);
    showMessage(`${order.number} is ready for pickup.`, 'info');
  }

  // --- handover ---------------------------------------------------------------------------------

  /** One key per handover attempt: resent unchanged if the network fails, so nothing is done twice. */
  function newKey() {
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    return `console-${[...bytes].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
  }

  async function openHandover(order) {
    state.handover = { order, key: newKey() };
    const form = $('handover');
    form.reset();
    $('handover-number').textContent = order.number;
    form.hidden = false;
    form.elements.code.focus();
  }

  function closeHandover() {
    state.handover = null;
    $('handover').hidden = true;
  }

  async function submitHandover(event) {
    event.preventDefault();
    const { order, key } = state.handover;
    const form = event.target;
    const sku = form.elements.sku.value.trim();
    const addLines = sku ? [{ sku, quantity: Number(form.elements.quantity.value) || 1 }] : [];
    let result;
    try {
      result = (await gql(Q.handOver, { orderId: order.id, pickupCode: form.elements.code.value.trim().toUpperCase(), idempotencyKey: key, addLines }))
        .orderCompletePickup;
    } catch (err) {
      return showError(err); // outcome unknown: the same key is sent again on the next try
    }
    if (result.userErrors.length) {
      // Refused and nothing changed: the next try is a new attempt with a new key.
      state.handover.key = newKey();
      return showMessage(result.userErrors.map((e) => e.message).join('; '));
    }
    const done = result.order;
    upsert(done, false);
    closeHandover();
    const item = document.createElement('li');
    item.dataset.orderNumber = done.number;
    item.textContent = `${done.number} — ${done.lines.map((l) => `${l.quantity} × ${l.sku}`).join(', ')} — ${money(done.total)}`;
    $('done').prepend(item);
    showMessage(`${done.number} handed over.`, 'info');
  }

  const money = ({ amount, currencyCode }) => new Intl.NumberFormat(undefined, { style: 'currency', currency: currencyCode }).format(amount / 100);

  // --- session ----------------------------------------------------------------------------------

  async function signIn(event) {
    event.preventDefault();
    const form = event.target;
    const { staffSignIn } = await gql(Q.signIn, { email: form.elements.email.value, password: form.elements.password.value });
    if (staffSignIn.userErrors.length) return showMessage(staffSignIn.userErrors.map((e) => e.message).join('; '));
    state.token = staffSignIn.token;
    sessionStorage.setItem(TOKEN_KEY, state.token);
    form.reset();
    await start(staffSignIn.staff);
  }

  async function start(staff) {
    state.staff = staff;
    $('who').textContent = `${staff.email} (${staff.role.toLowerCase()})`;
    let store = staff.location;
    if (!store) {
      // An admin may serve any store: pick one.
      const { locations } = await gql(Q.stores);
      const select = $('store-select');
      select.replaceChildren(...locations.map((l) => new Option(`${l.name} (${l.code})`, l.id)));
      select.onchange = () => useStore(locations.find((l) => l.id === select.value)).catch(showError);
      $('store-picker').hidden = false;
      store = locations[0];
    }
    $('sign-in').hidden = true;
    $('session').hidden = false;
    $('queue-view').hidden = false;
    hideMessage();
    if (store) await useStore(store);
    else showMessage('No pickup store exists yet.');
  }

  async function useStore(store) {
    state.store = store;
    $('store-name').textContent = store.name;
    closeHandover();
    await loadQueue();
    connectLive();
  }

  function signOut(message) {
    state.token = null;
    state.staff = null;
    state.store = null;
    sessionStorage.removeItem(TOKEN_KEY);
    disconnectLive();
    closeHandover();
    state.orders.clear();
    $('done').replaceChildren();
    $('session').hidden = true;
    $('queue-view').hidden = true;
    $('store-picker').hidden = true;
    $('sign-in').hidden = false;
    if (message) showMessage(message);
    else hideMessage();
  }

  // --- messages ---------------------------------------------------------------------------------

  function showMessage(text, kind) {
    const box = $('message');
    box.textContent = text;
    box.className = kind || '';
    box.hidden = false;
  }

  const hideMessage = () => ($('message').hidden = true);

  function showError(err) {
    if (err instanceof SessionExpired) return signOut(err.message);
    showMessage(err.message || String(err));
  }

  // --- start ------------------------------------------------------------------------------------

  $('sign-in').addEventListener('submit', (e) => signIn(e).catch(showError));
  $('handover').addEventListener('submit', (e) => submitHandover(e).catch(showError));
  $('handover-cancel').addEventListener('click', closeHandover);
  $('sign-out').addEventListener('click', () => signOut());

  (async () => {
    if (!state.token) return signOut();
    const { staffMe } = await gql(Q.staffMe);
    if (!staffMe) return signOut('Sign in with a staff account.');
    await start(staffMe);
  })().catch((err) => (err instanceof SessionExpired ? signOut(err.message) : showError(err)));
})();

// The demo shop's front end logic: fetch products and orders from shopd and
// place orders. Errors from the API are shown as they come (e.g. 502, 507).
"use strict";

const money = (cents) => (cents / 100).toFixed(2);

function cell(row, text) {
  const td = document.createElement("td");
  td.textContent = text;
  row.appendChild(td);
  return td;
}

function show(text, kind) {
  const el = document.getElementById("message");
  el.textContent = text;
  el.className = "message " + (kind || "");
}

async function api(method, path, body) {
  const options = { method, headers: {} };
  if (body !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  const response = await fetch(path, options);
  let data = null;
  try {
    data = await response.json();
  } catch (e) {
    // A body that is not JSON: report the status alone.
  }
  if (!response.ok) {
    const reason = data && data.error ? data.error : response.statusText;
    throw new Error(response.status + ": " + reason);
  }
  return data;
}

async function loadProducts() {
  const tbody = document.querySelector("#products tbody");
  try {
    const data = await api("GET", "/products");
    tbody.replaceChildren();
    for (const product of data.products) {
      const row = document.createElement("tr");
      cell(row, product.sku);
      cell(row, product.name);
      cell(row, money(product.price_cents)).title = "price from " + product.price_source;
      const quantity = document.createElement("input");
      quantity.type = "number";
      quantity.min = "1";
      quantity.max = "1000";
      quantity.value = "1";
      cell(row, "").appendChild(quantity);
      const button = document.createElement("button");
      button.textContent = "Order";
      button.addEventListener("click", () => placeOrder(product.sku, quantity.value, button));
      cell(row, "").appendChild(button);
      tbody.appendChild(row);
    }
    setStatus(true, "open");
  } catch (e) {
    setStatus(false, "products unavailable");
    show("Cannot list products: " + e.message, "error");
  }
}

async function loadOrders() {
  const tbody = document.querySelector("#orders tbody");
  try {
    const data = await api("GET", "/orders");
    tbody.replaceChildren();
    for (const order of data.orders) {
      const row = document.createElement("tr");
      cell(row, order.id);
      cell(row, order.sku);
      cell(row, order.quantity);
      cell(row, money(order.total_cents));
      cell(row, order.created_at);
      tbody.appendChild(row);
    }
  } catch (e) {
    show("Cannot list orders: " + e.message, "error");
  }
}

async function placeOrder(sku, quantity, button) {
  button.disabled = true;
  try {
    const order = await api("POST", "/orders", { sku, quantity: Number(quantity) });
    show("Order #" + order.id + " placed: " + money(order.total_cents), "ok");
    await loadOrders();
  } catch (e) {
    show("Order failed: " + e.message, "error");
  } finally {
    button.disabled = false;
  }
}

function setStatus(ok, text) {
  const el = document.getElementById("status");
  el.textContent = text;
  el.className = "status " + (ok ? "ok" : "error");
}

loadProducts();
loadOrders();
// Prices change upstream; refresh now and then rather than on every action.
setInterval(loadProducts, 15000);

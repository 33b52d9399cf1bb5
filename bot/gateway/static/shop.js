// 悦衣小铺 demo shop: renders the catalogue from GET /api/shop/products and opens the
// chat widget (widget.js) from each product's "咨询客服" button.
// All data is inserted with textContent / createElement, never as HTML.
(function () {
  "use strict";

  var grid = document.getElementById("products");
  var filters = document.getElementById("filters");
  var countLine = document.getElementById("product-count");
  var errorBox = document.getElementById("products-error");
  var retryButton = document.getElementById("products-retry");
  var SKELETONS = 8;
  var products = [];
  var category = "";

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text != null) node.textContent = text;
    return node;
  }

  function str(value) { return typeof value === "string" ? value : ""; }

  function showSkeletons() {
    grid.replaceChildren();
    grid.setAttribute("aria-busy", "true");
    for (var i = 0; i < SKELETONS; i++) {
      var item = el("li", "product skeleton");
      item.setAttribute("aria-hidden", "true");
      var info = el("div", "product-info");
      info.append(el("div", "sk-line"), el("div", "sk-line sk-line--short"), el("div", "sk-line"));
      item.append(el("div", "product-media"), info);
      grid.append(item);
    }
  }

  async function loadProducts() {
    errorBox.hidden = true;
    countLine.textContent = "正在加载商品…";
    showSkeletons();
    try {
      var response = await fetch("/api/shop/products", { headers: { Accept: "application/json" } });
      if (!response.ok) throw new Error("HTTP " + response.status);
      var data = await response.json();
      showShop(data && data.shop);
      showHighlights(data && data.highlights);
      products = Array.isArray(data && data.products) ? data.products.filter(function (p) {
        return p && typeof p === "object" && str(p.name);
      }) : [];
      renderFilters();
      renderProducts();
    } catch (err) {
      grid.replaceChildren();
      grid.setAttribute("aria-busy", "false");
      countLine.textContent = "";
      errorBox.hidden = false;
    }
  }

  function showShop(shop) {
    if (!shop || typeof shop !== "object") return;
    if (str(shop.name)) {
      document.getElementById("shop-name").textContent = shop.name;
    }
    if (str(shop.service_hours)) {
      document.getElementById("service-hours").textContent = shop.service_hours;
    }
  }

  // The banner and the promises come from the same data the bot answers from (E9).
  function showHighlights(h) {
    if (!h || typeof h !== "object") return;
    var discounts = Array.isArray(h.discounts) ? h.discounts.filter(str) : [];
    if (discounts.length) {
      document.getElementById("hero-title").textContent = discounts.join("，");
      var ends = /^(\d{4})-(\d{2})-(\d{2})$/.exec(str(h.promotion_ends));
      if (ends) {
        document.getElementById("hero-kicker").textContent =
          "店铺活动 · " + Number(ends[2]) + "月" + Number(ends[3]) + "日截止";
      }
      if (str(h.stackable)) {
        document.getElementById("hero-text").textContent = h.stackable + "。有任何问题，点右下角的在线客服问问我们。";
      }
    }
    var promises = document.getElementById("promises");
    var items = [];
    if (typeof h.free_shipping_min_spend === "number") items.push(["满" + h.free_shipping_min_spend + "元包邮", "偏远地区除外"]);
    if (str(h.dispatch)) items.push(["准时发货", h.dispatch]);
    if (typeof h.no_reason_days === "number") items.push([h.no_reason_days + "天无理由退换", str(h.return_conditions)]);
    if (typeof h.quality_days === "number") items.push(["质量问题包来回运费", "签收后" + h.quality_days + "天内"]);
    items.forEach(function (item) {
      var li = el("li");
      li.append(el("strong", "", item[0]), el("span", "", item[1]));
      promises.append(li);
    });
  }

  function renderFilters() {
    var seen = new Map();
    products.forEach(function (p) {
      if (str(p.category) && !seen.has(p.category)) seen.set(p.category, str(p.category_name) || p.category);
    });
    filters.replaceChildren();
    if (seen.size < 2) return;
    filters.append(filterButton("", "全部"));
    seen.forEach(function (name, key) { filters.append(filterButton(key, name)); });
  }

  function filterButton(key, label) {
    var button = el("button", "filter", label);
    button.type = "button";
    button.setAttribute("aria-pressed", String(key === category));
    button.addEventListener("click", function () {
      category = key;
      filters.querySelectorAll(".filter").forEach(function (b) {
        b.setAttribute("aria-pressed", String(b === button));
      });
      document.getElementById("products-title").textContent = key ? label : "全部商品";
      renderProducts();
    });
    return button;
  }

  function renderProducts() {
    var shown = products.filter(function (p) { return !category || p.category === category; });
    grid.replaceChildren();
    shown.forEach(function (p) { grid.append(productCard(p)); });
    if (!shown.length) grid.append(el("li", "empty", "暂时没有商品"));
    grid.setAttribute("aria-busy", "false");
    countLine.textContent = "共 " + shown.length + " 件商品";
  }

  // Same-origin images only: the page's CSP allows no other (img-src 'self' data:).
  function imageUrl(image) {
    if (typeof image !== "string" || !image) return "";
    try {
      var url = new URL(image, location.href);
      return url.origin === location.origin ? url.href : "";
    } catch (e) {
      return "";
    }
  }

  function productCard(p) {
    var item = el("li");
    var card = el("article", "product");
    var titleId = "product-" + String(p.product_id || "").replace(/[^A-Za-z0-9_-]/g, "") + "-name";
    card.setAttribute("aria-labelledby", titleId);

    var media = el("div", "product-media");
    var src = imageUrl(p.image);
    if (src) {
      var img = el("img");
      img.src = src;
      img.alt = p.name;
      img.loading = "lazy";
      media.append(img);
    } else {
      // A coloured block with the name's first character stands in for the photo.
      var cat = /^[a-z_-]+$/.test(str(p.category)) ? p.category : "other";
      var ph = el("div", "placeholder placeholder--" + cat, Array.from(p.name)[0]);
      ph.setAttribute("aria-hidden", "true");
      media.append(ph);
    }
    var inStock = p.in_stock !== false;
    media.append(el("span", "stock-badge" + (inStock ? "" : " stock-badge--out"), inStock ? "有货" : "暂时缺货"));

    var info = el("div", "product-info");
    var name = el("h3", "product-name", p.name);
    name.id = titleId;
    info.append(name);
    if (str(p.category_name)) info.append(el("p", "product-category", p.category_name));
    info.append(priceLine(p.price));
    var colours = listOf(p.colours);
    var sizes = listOf(p.sizes);
    if (colours) info.append(el("p", "product-options", "颜色：" + colours));
    if (sizes) info.append(el("p", "product-options", "尺码：" + sizes));

    var actions = el("div", "product-actions");
    var ask = el("button", "btn btn-primary", "咨询客服");
    ask.type = "button";
    ask.setAttribute("aria-label", "咨询客服：" + p.name);
    ask.addEventListener("click", function () { openAssistant(p.name + "还有货吗"); });
    actions.append(ask);
    info.append(actions);

    card.append(media, info);
    item.append(card);
    return item;
  }

  function listOf(values) {
    return Array.isArray(values) ? values.filter(function (v) { return typeof v === "string" && v; }).join("、") : "";
  }

  function priceLine(price) {
    var line = el("p", "product-price");
    if (typeof price !== "number" || !isFinite(price)) return line;
    var parts = price.toFixed(2).split(".");
    var symbol = el("span", "price-symbol", "¥");
    line.setAttribute("aria-label", "价格 " + price.toFixed(2) + " 元");
    line.append(symbol, el("span", "price-int", parts[0]), el("span", "price-dec", "." + parts[1]));
    return line;
  }

  // The widget loads async: a click before it is ready is delivered once it has loaded.
  function openAssistant(text) {
    var fire = function () {
      window.dispatchEvent(new CustomEvent("shop-assistant:open", { detail: { text: text } }));
    };
    if (window.ShopAssistant) { fire(); return; }
    var script = document.querySelector('script[src$="/widget.js"]');
    if (script) script.addEventListener("load", function () { setTimeout(fire, 0); }, { once: true });
  }

  retryButton.addEventListener("click", loadProducts);
  loadProducts();
})();

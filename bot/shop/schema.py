"""SQLite schema of the shop database."""

CATALOGUE_TABLES = (
    "products",
    "product_aliases",
    "skus",
    "size_charts",
    "size_chart_rows",
    "orders",
    "order_items",
    "tracking_events",
    "documents",
)

SCHEMA = """
CREATE TABLE products (
    id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, category TEXT NOT NULL,
    price REAL NOT NULL, size_chart TEXT NOT NULL, fit TEXT NOT NULL, fit_note TEXT NOT NULL,
    material TEXT NOT NULL, care TEXT NOT NULL, similar_json TEXT NOT NULL
);
CREATE TABLE product_aliases (alias TEXT PRIMARY KEY, product_id TEXT NOT NULL);
CREATE TABLE skus (
    product_id TEXT NOT NULL, colour TEXT NOT NULL, size TEXT NOT NULL,
    stock INTEGER NOT NULL CHECK (stock >= 0), restock TEXT,
    PRIMARY KEY (product_id, colour, size)
);
CREATE TABLE size_charts (id TEXT PRIMARY KEY, measure TEXT NOT NULL);
CREATE TABLE size_chart_rows (
    chart_id TEXT NOT NULL, position INTEGER NOT NULL, size TEXT NOT NULL,
    ranges_json TEXT NOT NULL, PRIMARY KEY (chart_id, position)
);
CREATE TABLE orders (
    id TEXT PRIMARY KEY, status TEXT NOT NULL, total REAL NOT NULL, region TEXT NOT NULL,
    carrier TEXT NOT NULL, tracking_no TEXT, paid_at TEXT, shipped_at TEXT,
    delivered_at TEXT, freight_insurance INTEGER NOT NULL
);
CREATE TABLE order_items (
    order_id TEXT NOT NULL, position INTEGER NOT NULL, product_id TEXT NOT NULL,
    colour TEXT NOT NULL, size TEXT NOT NULL, qty INTEGER NOT NULL,
    PRIMARY KEY (order_id, position)
);
CREATE TABLE tracking_events (
    order_id TEXT NOT NULL, position INTEGER NOT NULL, time TEXT NOT NULL,
    event TEXT NOT NULL, PRIMARY KEY (order_id, position)
);
CREATE TABLE documents (name TEXT PRIMARY KEY, json TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS restock_requests (
    id INTEGER PRIMARY KEY AUTOINCREMENT, conversation_id TEXT NOT NULL,
    product_id TEXT NOT NULL, colour TEXT NOT NULL, size TEXT NOT NULL,
    created_at TEXT NOT NULL DEFAULT (datetime('now')),
    UNIQUE (conversation_id, product_id, colour, size)
);
"""

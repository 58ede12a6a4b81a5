import * as path from "node:path";

/** The binary `cargo leptos build` made, and the SQLite file the test server runs on. */
export const PEAKDAY_BIN = process.env.PEAKDAY_BIN ?? path.resolve(__dirname, "../target/debug/peakday");
export const DATA_DIR = path.resolve(__dirname, ".data");
export const DATABASE_URL = `sqlite://${DATA_DIR}/e2e.db`;

// A head-end stand-in for the browser journeys: a small HTTP server speaking Peakday's sync
// format (GET /api/v1/openapi.json on the portal). It checks each customer asset sync message's
// signature, applies a message once per Idempotency-Key, and a moment later posts a signed
// acknowledgement back: every device registered or de-registered as asked. The moment lets a
// person (and a test) see "Registration pending" first.
import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer } from "node:http";

const port = Number(process.env.HEAD_END_PORT ?? 3190);
const portal = process.env.PORTAL_URL ?? "http://127.0.0.1:3100";
const secret = process.env.HEAD_END_SECRET ?? "e2e-head-end-secret-of-at-least-32-bytes";
const delayMs = Number(process.env.ACK_DELAY_MS ?? 1500);
const applied = new Set();

// `X-Peakday-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<direction>.<t>.<body>">`
// (the OpenAPI document's description): signed for its direction, refused when stale.
const mac = (direction, t, body) =>
  createHmac("sha256", secret).update(`${direction}.${t}.`).update(body).digest("hex");
const sign = (body) => {
  const t = Math.floor(Date.now() / 1000);
  return `t=${t},v1=${mac("head-end-to-peakday", t, body)}`;
};
const signedBy = (body, header) => {
  const parts = Object.fromEntries((header ?? "").split(",").map((part) => part.trim().split("=")));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || Math.abs(Date.now() / 1000 - t) > 300 || !parts.v1) return false;
  const expected = Buffer.from(mac("peakday-to-head-end", t, body), "hex");
  const given = Buffer.from(parts.v1, "hex");
  return expected.length === given.length && timingSafeEqual(expected, given);
};

async function acknowledge(message) {
  const devices = message.devices.map((device) => ({
    device_id: device.device_id,
    status: device.action === "register" ? "registered" : "deregistered",
  }));
  const body = JSON.stringify({ message_id: message.message_id, status: "accepted", devices });
  const response = await fetch(`${portal}/api/v1/head-end/acknowledgements`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-peakday-signature": sign(body) },
    body,
  });
  if (!response.ok) console.error(`acknowledgement refused: ${response.status} ${await response.text()}`);
}

createServer((request, response) => {
  if (request.method === "GET" && request.url === "/healthz") {
    response.writeHead(200).end("ok");
    return;
  }
  const chunks = [];
  request.on("data", (chunk) => chunks.push(chunk));
  request.on("end", () => {
    const body = Buffer.concat(chunks);
    // Event messages (dispatch, opt-outs, releases): taken, once per key, and nothing more.
    if (request.method === "POST" && request.url === "/events") {
      response.writeHead(signedBy(body, request.headers["x-peakday-signature"]) ? 202 : 401).end();
      return;
    }
    if (request.method !== "POST" || request.url !== "/sync") {
      response.writeHead(404).end();
      return;
    }
    if (!signedBy(body, request.headers["x-peakday-signature"])) {
      response.writeHead(401).end("bad signature");
      return;
    }
    const message = JSON.parse(body.toString("utf8"));
    response.writeHead(202).end();
    const key = request.headers["idempotency-key"];
    if (applied.has(key)) return;
    applied.add(key);
    setTimeout(() => acknowledge(message).catch((error) => console.error(error)), delayMs);
  });
}).listen(port, "127.0.0.1");

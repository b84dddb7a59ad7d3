#!/usr/bin/env node
// Prints the token_sha256 value of a tenants file for a bearer token read from stdin, or makes a new
// random token and prints both (the token once, to hand to the tenant; the hash, for the file).
//   node dist/hosted/hash-token.js --new
//   printf %s "$TOKEN" | node dist/hosted/hash-token.js
import { randomBytes } from "node:crypto";
import { hashToken } from "./tenants.js";

async function main(): Promise<void> {
  if (process.argv.includes("--new")) {
    const token = "bmcp_" + randomBytes(32).toString("base64url");
    process.stdout.write(`token:        ${token}\ntoken_sha256: ${hashToken(token)}\n`);
    return;
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const token = Buffer.concat(chunks).toString("utf8").replace(/\r?\n$/, "");
  if (token.length === 0) {
    process.stderr.write("usage: printf %s \"$TOKEN\" | node dist/hosted/hash-token.js   (or --new for a fresh token)\n");
    process.exit(2);
  }
  process.stdout.write(`${hashToken(token)}\n`);
}

void main();

// Checks a built front end for the fault that once broke every page of the release build: a
// wasm-opt that exports wasm-bindgen's `__wbindgen_externrefs` pointing at the funcref table
// instead of the externref one. The browser then fails at start ("WebAssembly.Table.set():
// Argument 1 is invalid for table") and no island hydrates, while the pages still render.
//
// Reads the binary format itself (tables, imports, exports), so it does not depend on the tools
// that might have caused the fault. Usage: node scripts/check-wasm.mjs <pkg folder>
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const FUNCREF = 0x70;
const EXTERNREF = 0x6f;
const REFTYPE_NAMES = { [FUNCREF]: "funcref", [EXTERNREF]: "externref" };
const EXTERNREF_TABLE = "__wbindgen_externrefs";

/** A cursor over a module's bytes with the LEB128 and name readers the format needs. */
class Reader {
  constructor(bytes, offset = 0) {
    this.bytes = bytes;
    this.offset = offset;
  }
  byte() {
    return this.bytes[this.offset++];
  }
  u32() {
    let result = 0;
    let shift = 0;
    for (;;) {
      const byte = this.byte();
      result |= (byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result >>> 0;
      shift += 7;
    }
  }
  name() {
    const length = this.u32();
    const text = new TextDecoder().decode(this.bytes.subarray(this.offset, this.offset + length));
    this.offset += length;
    return text;
  }
  limits() {
    const flags = this.byte();
    this.u32();
    if (flags & 0x01) this.u32();
  }
  /** A table type (as imported or defined without an initializer); returns its reftype. */
  tableType() {
    const reftype = this.byte();
    this.limits();
    return reftype;
  }
  /** A defined table, possibly with an initializer (`0x40 0x00` type expr); returns its reftype. */
  definedTable() {
    if (this.bytes[this.offset] !== 0x40) return this.tableType();
    this.offset += 2;
    const reftype = this.tableType();
    this.constExpr();
    return reftype;
  }
  /** Skips a constant expression: `ref.null t`, `ref.func i` or `global.get i`, then `end`. */
  constExpr() {
    for (let opcode = this.byte(); opcode !== 0x0b; opcode = this.byte()) {
      if (opcode === 0xd0) this.byte();
      else if (opcode === 0xd2 || opcode === 0x23) this.u32();
      else throw new Error(`unexpected opcode 0x${opcode.toString(16)} in a table initializer`);
    }
  }
}

/** The tables a module imports and defines, in index order, and what it exports. */
export function readModule(bytes) {
  if (bytes.readUInt32LE(0) !== 0x6d736100) throw new Error("not a WebAssembly module");
  const tables = [];
  const exports = [];
  const importedTables = [];
  const reader = new Reader(bytes, 8);
  while (reader.offset < bytes.length) {
    const id = reader.byte();
    const size = reader.u32();
    const end = reader.offset + size;
    if (id === 2) {
      for (let count = reader.u32(); count > 0; count--) {
        const module = reader.name();
        const field = reader.name();
        const kind = reader.byte();
        if (kind === 0) reader.u32();
        else if (kind === 1) {
          const reftype = reader.tableType();
          tables.push(reftype);
          importedTables.push({ module, field, reftype });
        } else if (kind === 2) reader.limits();
        else if (kind === 3) reader.offset += 2;
        else if (kind === 4) { reader.byte(); reader.u32(); }
        else throw new Error(`unknown import kind ${kind}`);
      }
    } else if (id === 4) {
      for (let count = reader.u32(); count > 0; count--) tables.push(reader.definedTable());
    } else if (id === 7) {
      for (let count = reader.u32(); count > 0; count--) {
        const name = reader.name();
        const kind = reader.byte();
        const index = reader.u32();
        exports.push({ name, kind, index });
      }
    }
    reader.offset = end;
  }
  return { tables, exports, importedTables };
}

/** The problems of one module: an externref table that is not one. */
export function problems(bytes, file) {
  const { tables, exports, importedTables } = readModule(bytes);
  const found = [];
  const typeName = (reftype) => REFTYPE_NAMES[reftype] ?? `0x${reftype.toString(16)}`;
  for (const entry of exports) {
    if (entry.name === EXTERNREF_TABLE) {
      if (entry.kind !== 1) found.push(`${file}: ${EXTERNREF_TABLE} is exported but is not a table`);
      else if (tables[entry.index] !== EXTERNREF)
        found.push(
          `${file}: ${EXTERNREF_TABLE} exports table ${entry.index}, a ${typeName(tables[entry.index])} table, not externref`,
        );
    }
  }
  for (const entry of importedTables) {
    if (entry.field === EXTERNREF_TABLE && entry.reftype !== EXTERNREF)
      found.push(`${file}: imports ${EXTERNREF_TABLE} as a ${typeName(entry.reftype)} table`);
  }
  return { found, exportsExternrefs: exports.some((entry) => entry.name === EXTERNREF_TABLE) };
}

const folder = process.argv[2];
if (folder) {
  const modules = readdirSync(folder).filter((name) => name.endsWith(".wasm"));
  if (modules.length === 0) {
    console.error(`check-wasm: no .wasm files in ${folder}`);
    process.exit(1);
  }
  const failures = [];
  let exported = false;
  for (const name of modules) {
    const { found, exportsExternrefs } = problems(readFileSync(join(folder, name)), name);
    failures.push(...found);
    exported ||= exportsExternrefs;
  }
  // wasm-bindgen 0.2.130 always exports the table: its absence means the build changed shape,
  // and this check would no longer see what it was written for.
  if (!exported) failures.push(`no module exports ${EXTERNREF_TABLE}: update scripts/check-wasm.mjs`);
  if (failures.length > 0) {
    console.error("check-wasm: the front end would fail to start in the browser:");
    for (const failure of failures) console.error(`  ${failure}`);
    console.error("Is an old wasm-opt first on PATH? `which wasm-opt` should be tools/node_modules/.bin.");
    process.exit(1);
  }
  console.log(`check-wasm: ${modules.length} modules, ${EXTERNREF_TABLE} is the externref table`);
}

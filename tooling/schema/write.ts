// Regenerates docs/stack-config.schema.json: `npm run schema`.
import { writeFileSync } from "node:fs";
import path from "node:path";
import { STACK_SCHEMA_PATH, stackFileSchemaText } from "./stack-file-schema";

writeFileSync(path.resolve(__dirname, "..", "..", STACK_SCHEMA_PATH), stackFileSchemaText());
console.log(`wrote ${STACK_SCHEMA_PATH}`);

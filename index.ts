// Pulumi calls an exported function and uses what it returns as the stack outputs.
import { goliveProgram } from "./program";

export = goliveProgram;

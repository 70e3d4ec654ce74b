/**
 * The built-in plug-ins: importing this module registers every built-in price model, strategy and waterfall
 * stage. It only registers (it exports nothing), and nothing in the engine imports it: the entry points do
 * (the public API in `index.ts`, `simulate`, the config parser, the CLI and the workers).
 */
import './market/price/index.js';
import './waterfall/stages/index.js';
import '../agents/index.js';

// Runs before each reliability test file: everything it loads (config, tokens, clients) targets the private stack.
import { RELIABILITY_ENV } from './stack-env';

Object.assign(process.env, RELIABILITY_ENV);

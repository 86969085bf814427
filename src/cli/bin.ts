#!/usr/bin/env node
/** The `cnil` command: runs the CLI with the process's arguments and exits with its code. */
import { run } from './main.ts';

void run(process.argv.slice(2));

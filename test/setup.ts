// Library code never writes to the console (design.md, Conventions): a test that prints fails.
for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
  console[level] = (...args: unknown[]) => {
    throw new Error(`console.${level} called in a test: ${args.map(String).join(' ').slice(0, 200)}`);
  };
}

// The one place the version lives; package.json says the same and a test keeps them equal.
export const VERSION = "0.1.0";

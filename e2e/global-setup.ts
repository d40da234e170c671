// Refuses to run against anything but a local database (the specs create users and data).
export default function globalSetup() {
  for (const name of ["TEST_DATABASE_URL", "E2E_DATABASE_URL"]) {
    const url = process.env[name];
    if (url && !["127.0.0.1", "localhost", "::1"].includes(new URL(url).hostname)) {
      throw new Error(`${name} points at ${new URL(url).hostname}: e2e tests only run against a local database`);
    }
  }
}

// A throwaway database for a bench on the local PostgreSQL (or BENCH_DATABASE_URL, which is kept).
import postgres from "postgres";

export async function freshDatabase(prefix: string): Promise<{ url: string; drop: () => Promise<void> }> {
  if (process.env.BENCH_DATABASE_URL) return { url: process.env.BENCH_DATABASE_URL, drop: async () => {} };
  const admin = "postgres://postgres@127.0.0.1:5432/postgres";
  const name = `${prefix}_${Date.now().toString(36)}`;
  const sqlc = postgres(admin, { max: 1, onnotice: () => {} });
  await sqlc.unsafe(`create database "${name}"`);
  await sqlc.end();
  return {
    url: admin.replace(/\/postgres$/, `/${name}`),
    drop: async () => {
      const again = postgres(admin, { max: 1, onnotice: () => {} });
      await again.unsafe(`drop database if exists "${name}" with (force)`);
      await again.end();
    },
  };
}

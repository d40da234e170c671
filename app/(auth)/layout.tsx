import { Logo } from "@/components/console/logo";

export default function AuthLayout({ children }: { children: React.ReactNode }) {
  return (
    <main className="flex min-h-screen flex-col items-center justify-center gap-6 bg-muted/40 px-4 py-10">
      <Logo className="text-lg" />
      <div className="w-full max-w-md">{children}</div>
      <p className="max-w-md text-center text-xs text-muted-foreground">
        Click-to-WhatsApp attribution, conversions for Meta and drip follow-ups, in one console.
      </p>
    </main>
  );
}

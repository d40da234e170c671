import { Alert, AlertDescription } from "@/components/ui/alert";

/** The form-level error of a server action (field errors sit beside their fields). */
export function FormError({ message }: { message?: string }) {
  if (!message) return null;
  return (
    <Alert variant="destructive" data-testid="form-error">
      <AlertDescription>{message}</AlertDescription>
    </Alert>
  );
}

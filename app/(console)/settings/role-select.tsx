"use client";

import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { ROLE_DESCRIPTIONS, ROLE_LABELS } from "@/lib/roles";
import type { Role } from "@/lib/roles-types";

const ROLES: Role[] = ["admin", "manager", "marketer"];

export function RoleSelect({ id, value, onChange, invalid }: { id: string; value: Role | undefined; onChange: (r: Role) => void; invalid?: boolean }) {
  return (
    <Select value={value} onValueChange={(v) => onChange(v as Role)}>
      <SelectTrigger id={id} className="w-full" aria-invalid={invalid}>
        <SelectValue placeholder="Choose a role" />
      </SelectTrigger>
      <SelectContent>
        {ROLES.map((r) => (
          <SelectItem key={r} value={r}>
            <span className="font-medium">{ROLE_LABELS[r]}</span>
            <span className="text-muted-foreground"> · {ROLE_DESCRIPTIONS[r]}</span>
          </SelectItem>
        ))}
      </SelectContent>
    </Select>
  );
}

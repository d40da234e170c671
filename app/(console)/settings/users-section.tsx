"use client";

import { Pencil, X } from "lucide-react";
import Link from "next/link";
import { useTransition } from "react";
import { toast } from "sonner";
import { RelativeTime } from "@/components/console/formatted";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardAction, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { ROLE_LABELS } from "@/lib/roles";
import type { Role } from "@/lib/roles-types";
import { revokeInviteAction } from "./actions";
import { AddUserDialog, InviteUserDialog } from "./user-dialogs";

type UserRow = { id: string; name: string; email: string; role: Role; lastLoginAt: number | null; createdAt: number };
type InviteRow = { id: string; email: string; role: Role; expiresAt: number };

export function UsersSection({ currentUserId, users, hasMore, invites }: { currentUserId: string; users: UserRow[]; hasMore: boolean; invites: InviteRow[] }) {
  const [pending, start] = useTransition();
  const revoke = (id: string) =>
    start(async () => {
      const r = await revokeInviteAction({ id });
      if (r.ok) toast.success("Invite revoked");
      else toast.error(r.error);
    });
  return (
    <Card>
      <CardHeader>
        <CardTitle>
          <h2>Users</h2>
        </CardTitle>
        <CardDescription>
          The members of this workspace and their role here (someone can belong to several workspaces, with a role in each). Admins manage everything; managers
          connect numbers and work leads; marketers read reports.
        </CardDescription>
        <CardAction className="flex gap-2">
          <InviteUserDialog />
          <AddUserDialog />
        </CardAction>
      </CardHeader>
      <CardContent className="grid gap-4">
        <Table>
          <TableHeader>
            <TableRow>
              <TableHead>Name</TableHead>
              <TableHead>Email</TableHead>
              <TableHead>Role</TableHead>
              <TableHead>Last sign-in</TableHead>
              <TableHead className="w-0">
                <span className="sr-only">Actions</span>
              </TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {users.map((u) => (
              <TableRow key={u.id}>
                <TableCell className="font-medium">
                  {u.name}
                  {u.id === currentUserId ? <span className="ml-2 text-xs text-muted-foreground">(you)</span> : null}
                </TableCell>
                <TableCell className="text-muted-foreground">{u.email}</TableCell>
                <TableCell>
                  <Badge variant={u.role === "admin" ? "default" : "secondary"}>{ROLE_LABELS[u.role]}</Badge>
                </TableCell>
                <TableCell className="text-muted-foreground">
                  <RelativeTime value={u.lastLoginAt} />
                </TableCell>
                <TableCell>
                  <Button asChild variant="ghost" size="sm">
                    <Link href={`/settings/users/${u.id}`} aria-label={`Edit ${u.name}`}>
                      <Pencil aria-hidden />
                      Edit
                    </Link>
                  </Button>
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
        {hasMore ? <p className="text-sm text-muted-foreground">Showing the 200 newest users.</p> : null}
        {invites.length > 0 ? (
          <div className="grid gap-2">
            <h3 className="text-sm font-medium">Pending invites</h3>
            <ul className="divide-y rounded-md border">
              {invites.map((i) => (
                <li key={i.id} className="flex items-center gap-3 px-3 py-2 text-sm">
                  <span className="flex-1">{i.email}</span>
                  <Badge variant="outline">{ROLE_LABELS[i.role]}</Badge>
                  <span className="text-muted-foreground">
                    expires <RelativeTime value={i.expiresAt} />
                  </span>
                  <Button variant="ghost" size="sm" disabled={pending} onClick={() => revoke(i.id)} aria-label={`Revoke invite for ${i.email}`}>
                    <X aria-hidden />
                    Revoke
                  </Button>
                </li>
              ))}
            </ul>
          </div>
        ) : null}
      </CardContent>
    </Card>
  );
}

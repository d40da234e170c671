"use client";

// One message of a chat as a person sees it: inbound on the left, outbound on the right; text with safe links,
// media through our server (lazy, click to open), audio, documents, locations, contacts, tapped replies, the
// quoted message, reactions, and for outbound messages the status ticks with a failure's reason and Retry.
import { AlertCircle, Check, CheckCheck, Clock, Download, FileText, MapPin, MousePointerClick, RotateCcw, UserRound } from "lucide-react";
import { Button } from "@/components/ui/button";
import { formatPhone } from "@/lib/phone";
import { cn } from "@/lib/utils";
import type { ChatMessage } from "./api";
import { FormattedTime } from "@/components/console/formatted";
import { mapLink, splitLinks } from "./format";

/** Text with its links as <a>: React renders every part as text, never HTML. */
export function LinkedText({ text }: { text: string }) {
  return (
    <>
      {splitLinks(text).map((part, i) =>
        part.kind === "link" ? (
          <a key={i} href={part.href} target="_blank" rel="noopener noreferrer" className="break-all underline underline-offset-2">
            {part.text}
          </a>
        ) : (
          <span key={i}>{part.text}</span>
        ),
      )}
    </>
  );
}

function StatusTicks({ status }: { status: string }) {
  switch (status) {
    case "pending":
    case "accepted":
      return <Clock className="size-3.5" aria-label="Sending" role="img" />;
    case "sent":
      return <Check className="size-3.5" aria-label="Sent" role="img" />;
    case "delivered":
      return <CheckCheck className="size-3.5" aria-label="Delivered" role="img" />;
    case "read":
      return <CheckCheck className="size-3.5 text-sky-500" aria-label="Read" role="img" />;
    case "failed":
      return <AlertCircle className="size-3.5 text-destructive" aria-label="Failed" role="img" />;
    default:
      return null;
  }
}

function Media({ message }: { message: ChatMessage }) {
  const media = message.media;
  if (!media) return null;
  const kind = message.type === "sticker" ? "image" : message.type;
  if (kind === "image") {
    return (
      <a href={media.url} target="_blank" rel="noopener noreferrer" className="block" aria-label="Open the image">
        {/* eslint-disable-next-line @next/next/no-img-element -- our own media proxy, sized by the bubble */}
        <img
          src={media.url}
          alt={media.caption ?? "Image"}
          loading="lazy"
          className={cn("max-h-72 rounded-md object-contain", message.type === "sticker" ? "w-32" : "w-full")}
        />
      </a>
    );
  }
  if (kind === "video") {
    return (
      <video controls preload="metadata" className="max-h-72 w-full rounded-md bg-black" aria-label={media.caption ?? "Video"}>
        <source src={media.url} type={media.mimeType ?? undefined} />
        <a href={media.url} target="_blank" rel="noopener noreferrer">
          Open the video
        </a>
      </video>
    );
  }
  if (kind === "audio" || kind === "voice") {
    return <audio controls preload="none" src={media.url} className="w-64 max-w-full" aria-label="Voice message or audio" />;
  }
  return (
    <a
      href={media.url}
      download={media.filename ?? undefined}
      className="flex items-center gap-2 rounded-md border bg-background/60 p-2 text-sm hover:bg-background"
    >
      <FileText className="size-6 shrink-0 text-muted-foreground" aria-hidden />
      <span className="min-w-0 flex-1 truncate">{media.filename ?? "Document"}</span>
      <Download className="size-4 shrink-0" aria-label="Download" role="img" />
    </a>
  );
}

export function MessageBubble({ message, onRetry, retrying }: { message: ChatMessage; onRetry?: (id: string) => void; retrying?: boolean }) {
  const outbound = message.direction === "outbound";
  const caption = message.media?.caption ?? null;
  const text = message.text ?? null;
  const showText = text && !(message.media && caption === text && message.type !== "text") ? text : caption;
  const failed = message.status === "failed";
  return (
    <div className={cn("flex", outbound ? "justify-end" : "justify-start")}>
      <div
        data-testid="message-bubble"
        data-direction={message.direction}
        data-status={message.status}
        className={cn(
          "grid max-w-[85%] gap-1.5 rounded-lg px-3 py-2 text-sm shadow-xs sm:max-w-[70%]",
          outbound ? "bg-primary/10" : "bg-muted",
          failed && "ring-1 ring-destructive/40",
        )}
      >
        {message.context ? (
          <div className="rounded border-l-4 border-primary/40 bg-background/60 px-2 py-1 text-xs text-muted-foreground">
            <span className="sr-only">Replying to: </span>
            {message.context.preview ?? "An earlier message"}
          </div>
        ) : null}
        <Media message={message} />
        {message.location ? (
          <a
            href={mapLink(message.location.latitude, message.location.longitude)}
            target="_blank"
            rel="noopener noreferrer"
            className="flex items-start gap-2 rounded-md border bg-background/60 p-2 hover:bg-background"
          >
            <MapPin className="mt-0.5 size-4 shrink-0" aria-hidden />
            <span className="grid">
              {message.location.name ? <span className="font-medium">{message.location.name}</span> : null}
              {message.location.address ? <span className="text-xs">{message.location.address}</span> : null}
              <span className="text-xs text-muted-foreground">
                {`${message.location.latitude.toFixed(5)}, ${message.location.longitude.toFixed(5)} · Open map`}
              </span>
            </span>
          </a>
        ) : null}
        {message.contacts?.map((c, i) => (
          <div key={i} className="flex items-start gap-2 rounded-md border bg-background/60 p-2">
            <UserRound className="mt-0.5 size-4 shrink-0" aria-hidden />
            <span className="grid">
              <span className="font-medium">{c.name ?? "Contact"}</span>
              {c.phones.map((p) => (
                <span key={p} className="text-xs">
                  {p.startsWith("+") ? formatPhone(p) : p}
                </span>
              ))}
            </span>
          </div>
        ))}
        {message.reply ? (
          <p className="flex items-center gap-1.5 text-sm">
            <MousePointerClick className="size-4 shrink-0 text-muted-foreground" aria-label="Tapped" role="img" />
            {message.reply.title ?? message.reply.id}
          </p>
        ) : null}
        {showText && !message.reply ? (
          <p className="break-words whitespace-pre-wrap">
            <LinkedText text={showText} />
          </p>
        ) : null}
        {!showText && !message.media && !message.location && !message.contacts && !message.reply ? (
          <p className="text-muted-foreground italic">[{message.type} message]</p>
        ) : null}
        <div className="flex items-center justify-end gap-1 text-[11px] text-muted-foreground">
          {message.sentBy ? <span>{message.sentBy.name} ·</span> : null}
          {message.drip ? (
            <span
              title={
                message.drip.metaTemplate
                  ? `Sent as the approved template ${message.drip.metaTemplate.name} (${message.drip.metaTemplate.language})`
                  : undefined
              }
            >
              Drip{message.drip.templateName ? ` “${message.drip.templateName}”` : ""} ·
            </span>
          ) : null}
          <FormattedTime value={message.at} />
          {outbound ? <StatusTicks status={message.status} /> : null}
        </div>
        {failed ? (
          <div className="grid gap-1 text-xs text-destructive" role="note">
            <span>
              Not delivered{message.error?.title ? `: ${message.error.title}` : ""}
              {message.error?.code ? ` (${message.error.code})` : ""}
            </span>
            {message.error?.detail ? <span>{message.error.detail}</span> : null}
            {onRetry ? (
              <Button type="button" size="sm" variant="outline" className="justify-self-end" disabled={retrying} onClick={() => onRetry(message.id)}>
                <RotateCcw aria-hidden />
                Retry
              </Button>
            ) : null}
          </div>
        ) : null}
        {message.reactions.length > 0 ? (
          <div className={cn("-mb-3 flex gap-1", outbound ? "justify-start" : "justify-end")}>
            {message.reactions.map((r) => (
              <span
                key={r.from}
                className="rounded-full border bg-background px-1.5 text-sm shadow-xs"
                title={r.from === "inbound" ? "Their reaction" : "Your reaction"}
                aria-label={`${r.from === "inbound" ? "They" : "You"} reacted ${r.emoji}`}
              >
                {r.emoji}
              </span>
            ))}
          </div>
        ) : null}
      </div>
    </div>
  );
}

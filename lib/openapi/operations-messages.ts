// The messages' operations: a message's media (image, video, audio, document, sticker) fetched from its
// provider through this server, so the number's token never reaches the browser.
import { getMessageMedia, MEDIA_MAX_BYTES, mediaResponse } from "@/lib/media/media";
import { mediaDepsFromEnv } from "@/lib/media/deps";
import { type ApiOperation, defineOperation } from "./registry";

const MIB = MEDIA_MAX_BYTES / 1024 / 1024;

export const messageOperations: ApiOperation[] = [
  defineOperation({
    method: "get",
    path: "/api/v1/messages/{id}/media",
    operationId: "getMessageMedia",
    tag: "Messages",
    summary: "A message's media",
    description:
      `The image, video, audio, document or sticker of a message, fetched from the provider on demand: for the Cloud API \`GET /{media-id}\` with the number's token, then the short-lived URL Meta returns with the same token; for Green API the notification's \`downloadUrl\`; for Gupshup its media URL. ` +
      `Only the provider's own hosts are reached, redirects are not followed, media over ${MIB} MiB is refused, and fetched media is cached on the server (reopening a chat does not fetch it again). ` +
      "The answer carries the media's own `Content-Type` (HTML, XML, SVG and script types come as `application/octet-stream` attachments), `Content-Disposition: inline` with a sanitised file name, " +
      "`Cache-Control: private, max-age=3600`, `X-Content-Type-Options: nosniff` and `Content-Security-Policy: default-src 'none'; sandbox`.",
    responses: [
      {
        status: 200,
        description: "The media's bytes, with the media's own content type (image/*, audio/*, video/*, application/* or text/*)",
        contentType: "application/octet-stream",
      },
      { status: 200, description: "An image", contentType: "image/*" },
      { status: 200, description: "Audio (voice notes are audio/ogg)", contentType: "audio/*" },
      { status: 200, description: "A video", contentType: "video/*" },
      { status: 200, description: "A document", contentType: "application/*" },
      { status: 200, description: "A text document", contentType: "text/*" },
    ],
    errors: [
      { status: 404, code: "no_media", message: "This message has no media" },
      {
        status: 404,
        code: "media_not_found",
        message: "Meta no longer has this media: media is kept for a limited time (about 30 days at Meta)",
      },
      { status: 404, code: "media_unavailable", message: "Sales is a demo number: its messages have no media to fetch" },
      {
        status: 413,
        code: "media_too_large",
        message: `The media is 40 MiB, over the ${MIB} MiB this server fetches`,
        details: { limit: MEDIA_MAX_BYTES, size: 41943040 },
      },
      { status: 422, code: "token_unreadable", message: "The number's access token cannot be read: replace it on the number's page" },
      {
        status: 502,
        code: "provider_error",
        message: "Meta did not return the media: Graph error 190/463: Error validating access token: Session has expired [fbtrace_id AbC123]",
      },
      {
        status: 502,
        code: "media_url_refused",
        message: "Meta gave a media URL this server does not fetch: 169.254.169.254 is a link-local address (cloud metadata lives here)",
      },
    ],
    handler: async ({ db, tenantId, params }) => mediaResponse(await getMessageMedia(db, mediaDepsFromEnv(), { tenantId, messageId: params.id })),
  }),
];

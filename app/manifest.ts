// The web app manifest (/manifest.webmanifest): "Add to Home Screen" opens the console in its own window, with the
// same name, colour and icons as the browser tab (app/icon.svg) and the home-screen icon (app/apple-icon.tsx).
import type { MetadataRoute } from "next";

export default function manifest(): MetadataRoute.Manifest {
  return {
    name: "Clicktrail",
    short_name: "Clicktrail",
    description: "Click-to-WhatsApp attribution, conversions and drip follow-ups",
    start_url: "/",
    scope: "/",
    display: "standalone",
    background_color: "#ffffff",
    theme_color: "#007a55",
    icons: [
      { src: "/icon.svg", sizes: "any", type: "image/svg+xml", purpose: "any" },
      { src: "/apple-icon", sizes: "180x180", type: "image/png", purpose: "any" },
    ],
  };
}

import type { Metadata } from "next";
import type { ReactNode } from "react";
import { TrpcProvider } from "./_trpc/provider";
import "./globals.css";

// Every page is rendered per request: a prerendered page could not carry the request's CSP nonce,
// and its scripts would be blocked.
export const dynamic = "force-dynamic";

export const metadata: Metadata = {
  title: { default: "Baton", template: "%s · Baton" },
  description: "Workflow orchestration on Postgres",
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-screen text-sm">
        <TrpcProvider>{children}</TrpcProvider>
      </body>
    </html>
  );
}

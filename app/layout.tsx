import type { Metadata } from "next";
import type { ReactNode } from "react";
import { TrpcProvider } from "./_trpc/provider";
import "./globals.css";

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

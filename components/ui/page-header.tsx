import * as React from "react";

import { cn } from "@/lib/utils";

type PageHeaderProps = Omit<React.ComponentProps<"div">, "title"> & {
  title: React.ReactNode;
  description?: React.ReactNode;
  /** Buttons/links rendered on the right (wraps below the title on narrow screens). */
  actions?: React.ReactNode;
};

function PageHeader({ title, description, actions, className, ...props }: PageHeaderProps) {
  return (
    <div data-slot="page-header" className={cn("flex flex-col gap-3 pb-6 sm:flex-row sm:items-start sm:justify-between", className)} {...props}>
      <div className="grid min-w-0 gap-1">
        <h1 className="text-2xl font-semibold tracking-tight text-balance wrap-break-word">{title}</h1>
        {description ? <p className="text-sm wrap-break-word text-muted-foreground">{description}</p> : null}
      </div>
      {actions ? (
        <div data-slot="page-header-actions" className="flex shrink-0 flex-wrap items-center gap-2">
          {actions}
        </div>
      ) : null}
    </div>
  );
}

export { PageHeader, type PageHeaderProps };

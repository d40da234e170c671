// The template editor's form: its values and the react-hook-form handle, shared by the editor
// (template-editor.tsx) and its Meta binding section (meta-binding.tsx) without either importing the other.
import type { UseFormReturn } from "react-hook-form";

export type TemplateFormValues = {
  name: string;
  title: string;
  content: string;
  delayDays: number | string;
  delayHours: number | string;
  segment: string;
  active: boolean;
  stopOnReply: boolean;
  metaTemplate: { name: string; language: string; parameters: { key: string; variable: string }[] } | null;
};

export type TemplateForm = UseFormReturn<TemplateFormValues, unknown, TemplateFormValues>;

export type EditableTemplate = { id: string; revision: number; values: TemplateFormValues; metaStatus: string | null };

import { api } from './client';
import type { Inquiry, InquiryReceipt, InquiryRequest, InquiryStatus } from './types';

export async function submitInquiry(body: InquiryRequest): Promise<InquiryReceipt> {
  return (await api.request<InquiryReceipt>('POST', '/inquiries', { body, public: true })).data;
}

export function listInquiries(status?: InquiryStatus, signal?: AbortSignal): Promise<Inquiry[]> {
  return api.get<Inquiry[]>('/inquiries', { status }, signal);
}

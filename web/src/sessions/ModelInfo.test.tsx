import { fireEvent, render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { keys } from '../api/keys';
import { testClient, withClient } from '../test/query';
import { ModelInfo } from './ModelInfo';
import type { ModelLike } from './model-profile';

const models: ModelLike[] = [
  {
    id: 'deepseek-reasoner',
    default: true,
    vision: false,
    context_tokens: 64_000,
    profile: {
      output_param: 'max_tokens',
      max_output_tokens: 8000,
      context_tokens: 64_000,
      vision: false,
      learned: ['context_tokens'],
    },
  },
  { id: 'old-server-model', default: false },
];

function renderInfo(value: string | null) {
  const client = testClient();
  client.setQueryData(keys.models, { models, configured: true });
  return render(<ModelInfo value={value} />, { wrapper: withClient(client) });
}

describe('ModelInfo', () => {
  it('shows the default model’s profile behind a labelled button, learned fields marked', () => {
    const { container } = renderInfo(null);
    const summary = screen.getByLabelText('About deepseek-reasoner');
    expect(summary.tagName).toBe('SUMMARY');
    const details = container.querySelector('details')!;
    expect(details.open).toBe(false);
    fireEvent.click(summary);
    expect(details.open).toBe(true);
    expect(screen.getByText('Context').nextElementSibling?.textContent).toBe(
      '64,000 tokens learned',
    );
    expect(screen.getByText('Images').nextElementSibling?.textContent).toBe('not accepted');
    expect(screen.getByText(/from the provider’s own answers/)).toBeTruthy();
  });

  it('closes on Escape and gives the focus back to its button', () => {
    const { container } = renderInfo('deepseek-reasoner');
    const details = container.querySelector('details')!;
    const summary = screen.getByLabelText('About deepseek-reasoner');
    fireEvent.click(summary);
    fireEvent.keyDown(screen.getByText('Images'), { key: 'Escape' });
    expect(details.open).toBe(false);
    expect(document.activeElement).toBe(summary);
  });

  it('closes on a click outside', () => {
    const { container } = renderInfo(null);
    const details = container.querySelector('details')!;
    fireEvent.click(screen.getByLabelText('About deepseek-reasoner'));
    fireEvent.pointerDown(document.body);
    expect(details.open).toBe(false);
  });

  it('shows nothing for a model without a profile (a server before issue 19)', () => {
    const { container } = renderInfo('old-server-model');
    expect(container.innerHTML).toBe('');
  });
});

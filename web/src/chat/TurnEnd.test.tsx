import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { message } from '../test/fixtures';
import { TurnEnd } from './TurnEnd';

// The API types token counts loosely (see MessageView); the view reads numbers only.
const tokens = (n: number) => n as unknown as Record<string, never>;

describe('TurnEnd', () => {
  it('shows how the turn ended and its tokens', () => {
    render(
      <TurnEnd
        message={message({
          status: 'completed',
          finish_reason: 'completed',
          prompt_tokens: tokens(1200),
          completion_tokens: tokens(320),
        })}
      />,
    );
    expect(screen.getByText('Finished: completed')).toBeTruthy();
    expect(screen.getByText('Tokens: 1520').title).toBe('1200 prompt + 320 completion');
  });

  it('says when the tokens were estimated', () => {
    render(
      <TurnEnd
        message={message({
          status: 'completed',
          prompt_tokens: tokens(100),
          completion_tokens: tokens(20),
          tokens_estimated: true,
        })}
      />,
    );
    const count = screen.getByText(/Tokens: 120/);
    expect(count.textContent).toBe('Tokens: 120 (estimated)');
    expect(count.title).toMatch(/estimated/);
  });

  it('shows nothing while the turn runs', () => {
    const { container } = render(<TurnEnd message={message({ status: 'running' })} />);
    expect(container.innerHTML).toBe('');
  });
});

import { fireEvent, render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { Plan, planProgress } from './Plan';
import { Reasoning } from './Reasoning';

describe('Reasoning', () => {
  it('is collapsed under a labelled "Thinking…" disclosure while the turn streams', () => {
    const { container } = render(<Reasoning text="The user wants a bakery." live />);
    const details = container.querySelector('details')!;
    expect(details.open).toBe(false);
    expect(screen.getByText('Thinking…').tagName).toBe('SUMMARY');
    fireEvent.click(screen.getByText('Thinking…'));
    expect(details.open).toBe(true);
    expect(screen.getByText('The user wants a bakery.')).toBeTruthy();
  });

  it('says "Thinking" for a finished message, and shows nothing without reasoning', () => {
    render(<Reasoning text="done thinking" />);
    expect(screen.getByText('Thinking').tagName).toBe('SUMMARY');
    const { container } = render(<Reasoning text={null} live />);
    expect(container.innerHTML).toBe('');
  });
});

describe('Plan', () => {
  const items = [
    { text: 'Write index.html', status: 'completed' as const },
    { text: 'Write style.css', status: 'in_progress' as const },
    { text: 'Add the contact form', status: 'pending' as const },
  ];

  it('is a labelled checklist that says each entry’s status in words', () => {
    render(<Plan items={items} />);
    const plan = screen.getByRole('group', { name: 'Plan · 1 of 3 done' });
    const entries = within(plan).getAllByRole('listitem');
    expect(entries.map((li) => li.textContent)).toEqual([
      '✓Write index.html(done)',
      '◐Write style.css(in progress)',
      '○Add the contact form(to do)',
    ]);
    expect(plan.textContent).toContain('1 of 3 done');
  });

  it('shows nothing for no plan or an empty one', () => {
    const { container } = render(
      <>
        <Plan items={null} />
        <Plan items={[]} />
      </>,
    );
    expect(container.innerHTML).toBe('');
  });

  it('counts what is done', () => {
    expect(planProgress(items)).toBe('1 of 3 done');
    expect(planProgress([])).toBe('0 of 0 done');
  });
});

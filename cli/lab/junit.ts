// A grade report as JUnit XML for CI: one testsuite per lab, one testcase per
// check; FAIL is <failure>, ERROR is <error>, SKIP is <skipped>.

import type { GradeReport } from '../../graders/sdk/types.ts';

/** Text safe inside XML attributes and elements (control characters XML forbids are dropped). */
export function xmlEscape(s: string): string {
  return s
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
    .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

const seconds = (ms: number): string => (ms / 1000).toFixed(3);

export function junitXml(report: GradeReport): string {
  const count = (s: string): number => report.checks.filter((c) => c.status === s).length;
  const attrs = `tests="${report.checks.length}" failures="${count('FAIL')}" errors="${count('ERROR')}" skipped="${count('SKIP')}" time="${seconds(report.durationMs)}"`;
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="virtlab" ${attrs}>`,
    `  <testsuite name="${xmlEscape(report.lab)}" ${attrs} timestamp="${xmlEscape(report.startedAt)}">`,
    '    <properties>',
    `      <property name="score" value="${report.score}"/>`,
    `      <property name="maxScore" value="${report.maxScore}"/>`,
    `      <property name="passed" value="${report.passed}"/>`,
    `      <property name="server" value="${xmlEscape(report.cluster.server)}"/>`,
    '    </properties>',
  ];
  for (const c of report.checks) {
    const open = `    <testcase classname="virtlab.${xmlEscape(report.lab)}" name="${xmlEscape(`${c.id}: ${c.title}`)}" time="${seconds(c.durationMs)}"`;
    const text = xmlEscape(c.hint ? `${c.message}\nhint: ${c.hint}` : c.message);
    const msg = xmlEscape(c.message);
    switch (c.status) {
      case 'PASS':
        lines.push(c.message ? `${open}>\n      <system-out>${msg}</system-out>\n    </testcase>` : `${open}/>`);
        break;
      case 'FAIL':
        lines.push(`${open}>\n      <failure message="${msg}" type="FAIL">${text}</failure>\n    </testcase>`);
        break;
      case 'ERROR':
        lines.push(`${open}>\n      <error message="${msg}" type="ERROR">${text}</error>\n    </testcase>`);
        break;
      case 'SKIP':
        lines.push(`${open}>\n      <skipped message="${msg}"/>\n    </testcase>`);
        break;
    }
  }
  lines.push('  </testsuite>', '</testsuites>', '');
  return lines.join('\n');
}
